import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer as createHttpsServer } from 'node:https'
import {
  createServer,
  type AddressInfo,
  type Server,
  type Socket
} from 'node:net'
import { getCACertificates, setDefaultCACertificates } from 'node:tls'
import { afterAll, afterEach, describe, expect, it } from '@jest/globals'
import {
  ChunkedDecoder,
  socketGet,
  type SocketResponse
} from '../../../src/registry/socket-get'
import { certificateAuthority } from '../../helpers/hostile'

/**
 * `socketGet` against servers that write raw HTTP/1.1 bytes, as a registry or a hostile one
 * would: framings, pieces of any size, heads that never end, bodies cut short.
 */
const servers: Server[] = []
const sockets = new Set<Socket>()
async function rawServer(
  answer: (socket: Socket, request: string) => void
): Promise<URL> {
  const server = createServer(socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let request = ''
    socket.on('data', data => {
      request += data.toString('latin1')
      if (request.includes('\r\n\r\n')) answer(socket, request)
    })
  })
  servers.push(server)
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
  return new URL(
    `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/x/blobs/sha256:ab?n=1`
  )
}
afterEach(async () => {
  for (const socket of sockets) socket.destroy()
  for (const server of servers.splice(0))
    await new Promise(r => server.close(r))
})

/** Writes `bytes` in pieces of 1 to 3000 bytes, a few at a time, then maybe closes. */
function inPieces(socket: Socket, bytes: Buffer, close = true): void {
  let at = 0
  const next = (): void => {
    for (let burst = 0; burst < 8 && at < bytes.length; burst++) {
      const size = 1 + Math.floor(Math.random() * 3000)
      socket.write(bytes.subarray(at, at + size))
      at += size
    }
    if (at < bytes.length) setImmediate(next)
    else if (close) socket.end()
  }
  next()
}

/** The whole body, each lent chunk copied before the next is asked for. */
async function drain(
  response: SocketResponse
): Promise<{ bytes: Buffer; memories: Set<ArrayBufferLike>; chunks: number }> {
  const copies: Buffer[] = []
  const memories = new Set<ArrayBufferLike>()
  for (;;) {
    const chunk = await response.body?.read()
    if (!chunk) break
    memories.add(chunk.buffer)
    copies.push(Buffer.from(chunk))
  }
  return { bytes: Buffer.concat(copies), memories, chunks: copies.length }
}

const get = (url: URL, headers: Record<string, string> = {}) =>
  socketGet(url, headers, new AbortController().signal)

describe('socketGet', () => {
  it('sends one GET and lends a Content-Length body from one reused buffer', async () => {
    const body = randomBytes(3 << 20)
    let seen = ''
    const url = await rawServer((socket, request) => {
      seen = request
      socket.write(
        `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n\r\n`
      )
      inPieces(socket, body, false)
    })
    const response = await get(url, { authorization: 'Bearer t0ken' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe(
      'application/octet-stream'
    )
    const { bytes, memories, chunks } = await drain(response)
    expect(bytes.equals(body)).toBe(true)
    // Every chunk, the bytes that came with the head too, is a view of one buffer.
    expect(chunks).toBeGreaterThan(10)
    expect(memories.size).toBe(1)
    expect(seen).toMatch(
      /^GET \/v2\/x\/blobs\/sha256:ab\?n=1 HTTP\/1\.1\r\nhost: 127\.0\.0\.1:\d+\r\nauthorization: Bearer t0ken\r\naccept-encoding: identity\r\nconnection: close\r\n\r\n$/
    )
  })

  it('takes a chunked body apart, with extensions and trailers, in pieces of any size', async () => {
    const parts = [randomBytes(70_000), randomBytes(1), randomBytes(200_000)]
    const wire = Buffer.concat([
      Buffer.from(
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'
      ),
      ...parts.flatMap((part, i) => [
        Buffer.from(`${part.length.toString(16)}${i === 1 ? ';x=y' : ''}\r\n`),
        part,
        Buffer.from('\r\n')
      ]),
      Buffer.from('0\r\nDigest: x\r\n\r\n')
    ])
    // Left open after the last chunk: the body ends at its last chunk, not at the close.
    const url = await rawServer(socket => inPieces(socket, wire, false))
    const { bytes } = await drain(await get(url))
    expect(bytes.equals(Buffer.concat(parts))).toBe(true)
  })

  it('lends a body of tiny chunks as one piece per read, not one per chunk', async () => {
    const body = randomBytes(20_000)
    const wire = Buffer.concat([
      Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'),
      ...[...body].map(byte =>
        Buffer.from(`1\r\n${String.fromCharCode(byte)}\r\n`, 'latin1')
      ),
      Buffer.from('0\r\n\r\n')
    ])
    const url = await rawServer(socket => socket.end(wire))
    const { bytes, chunks } = await drain(await get(url))
    expect(bytes.equals(body)).toBe(true)
    expect(chunks).toBeLessThan(100)
  })

  it('decodes a chunked body split at every byte', () => {
    const wire = Buffer.from(
      '3\r\nabc\r\n10;e=1\r\n0123456789abcdef\r\n0\r\nT: 1\r\n\r\n'
    )
    for (let cut = 0; cut <= wire.length; cut++) {
      const decoder = new ChunkedDecoder()
      const out = [
        ...decoder.decode(wire.subarray(0, cut)),
        ...decoder.decode(wire.subarray(cut))
      ].map(view => Buffer.from(view).toString())
      expect(out.join('')).toBe('abc0123456789abcdef')
      expect(decoder.done).toBe(true)
    }
    expect(() => new ChunkedDecoder().decode(Buffer.from('zz\r\n'))).toThrow(
      /invalid chunk size/
    )
    expect(() =>
      new ChunkedDecoder().decode(Buffer.from('1\r\nab\r\n'))
    ).toThrow(/longer than its size says/)
  })

  it('gathers a head that comes a byte at a time, its end split across reads', async () => {
    const wire = Buffer.from(
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Long: ' +
        'y'.repeat(300) +
        '\r\n\r\nhello'
    )
    const url = await rawServer(socket => {
      let at = 0
      const next = (): void => {
        socket.write(wire.subarray(at, ++at))
        if (at < wire.length) setTimeout(next, 0)
      }
      next()
    })
    const response = await get(url)
    expect(response.headers.get('x-long')).toBe('y'.repeat(300))
    expect((await drain(response)).bytes.toString()).toBe('hello')
  })

  it('reads to the close without a length, and skips an interim 100 Continue', async () => {
    const url = await rawServer(socket => {
      socket.write(
        'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\nall of it'
      )
      socket.end()
    })
    const response = await get(url)
    expect(response.status).toBe(200)
    expect((await drain(response)).bytes.toString()).toBe('all of it')
  })

  it('has no body for 204, and gives a redirect its Location', async () => {
    const url = await rawServer(socket =>
      socket.write(
        'HTTP/1.1 307 Temporary Redirect\r\nLocation: https://storage.example/b?sig=1\r\nContent-Length: 0\r\n\r\n'
      )
    )
    const response = await get(url)
    expect(response.status).toBe(307)
    expect(response.headers.get('location')).toBe(
      'https://storage.example/b?sig=1'
    )
    expect(response.body).toBeNull()
  })

  it('fails a body cut short, naming what is missing', async () => {
    const url = await rawServer(socket => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n')
      socket.end('x'.repeat(40))
    })
    const response = await get(url)
    await expect(drain(response)).rejects.toThrow(
      /closed 60 bytes before the end of the body/
    )
    const chunked = await rawServer(socket =>
      socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab')
    )
    await expect(drain(await get(chunked))).rejects.toThrow(
      /closed before the end of the chunked body/
    )
  })

  it('refuses what is not an HTTP/1.1 head, and a head without end', async () => {
    const cases: [string | Buffer, RegExp][] = [
      ['HTTP/2 200\r\n\r\n', /not an HTTP\/1\.1 status line/],
      ['HTTP/1.1 200 OK\r\n folded: value\r\n\r\n', /malformed header line/],
      [
        'HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n',
        /invalid content-length/
      ],
      [
        'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
        /invalid content-length/
      ],
      [
        `HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70_000)}`,
        /larger than 65536 bytes/
      ],
      ['', /closed before a response arrived/],
      [
        'HTTP/1.1 100 Continue\r\n\r\n'.repeat(11) + 'HTTP/1.1 200 OK\r\n\r\n',
        /more than 10 interim responses/
      ]
    ]
    for (const [wire, error] of cases) {
      const url = await rawServer(socket => socket.end(wire))
      await expect(get(url)).rejects.toThrow(error)
    }
  })

  it('refuses a header value that would start another line (a hostile token)', async () => {
    const url = await rawServer(socket => socket.end('HTTP/1.1 200 OK\r\n\r\n'))
    await expect(
      get(url, { authorization: 'Bearer x\r\nX-Injected: 1' })
    ).rejects.toThrow(/holds a line break/)
  })

  it('stops when its signal aborts, before and after the head', async () => {
    const silent = await rawServer(() => {})
    const early = new AbortController()
    const pending = socketGet(silent, {}, early.signal)
    early.abort(new Error('time is up'))
    await expect(pending).rejects.toThrow('time is up')

    const stalled = await rawServer(socket =>
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc')
    )
    const late = new AbortController()
    const response = await socketGet(stalled, {}, late.signal)
    expect(Buffer.from((await response.body!.read())!).toString()).toBe('abc')
    const next = response.body!.read()
    late.abort(new Error('nothing moved'))
    await expect(next).rejects.toThrow('nothing moved')
  })
})

describe('socketGet over TLS', () => {
  const defaults = getCACertificates('default')
  afterAll(() => setDefaultCACertificates(defaults))

  it('checks the certificate against the trusted CAs, and reads through TLS when it is trusted', async () => {
    const ca = certificateAuthority(['localhost'])
    const body = randomBytes(12 << 20)
    const server = createHttpsServer(
      { key: ca.key, cert: ca.cert },
      (_req, res) => {
        res.writeHead(200, { 'content-length': body.length })
        res.end(body)
      }
    )
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
    const url = new URL(
      `https://localhost:${(server.address() as AddressInfo).port}/v2/`
    )
    try {
      await expect(get(url)).rejects.toThrow(/certificate/)
      setDefaultCACertificates([...defaults, readFileSync(ca.caPath, 'utf8')])
      const { bytes } = await drain(await get(url))
      expect(bytes.equals(body)).toBe(true)
      // A reader slower than the network: TLS decrypts several records per socket read, and each
      // must stay as it was until it is taken.
      const slow = await get(url)
      const copies: Buffer[] = []
      for (let chunk; (chunk = await slow.body!.read());) {
        await new Promise(resolve => setTimeout(resolve, 1))
        copies.push(Buffer.from(chunk))
      }
      expect(Buffer.concat(copies).equals(body)).toBe(true)
    } finally {
      server.closeAllConnections()
      await new Promise(r => server.close(r))
    }
  })
})
