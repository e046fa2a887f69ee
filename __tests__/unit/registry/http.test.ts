import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from '@jest/globals'
import { NetworkError, ResponseTooLarge } from '../../../src/registry/errors'
import { send, type Limits } from '../../../src/registry/http'
import { proxiedByEnvironment } from '../../../src/registry/transport'

type Handler = (
  req: IncomingMessage,
  res: import('node:http').ServerResponse
) => void
const servers: Server[] = []
async function serve(handler: Handler): Promise<string> {
  const server = createServer(handler)
  servers.push(server)
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise(r => server.close(r))
  }
})

const limits: Limits = { idleMs: 300, deadlineMs: 1500, answerMs: 900 }

describe.each([false, true])('send a GET (lent: %s)', lent => {
  it('gives up on a body that goes quiet, and on one that trickles past the deadline', async () => {
    const quiet = await serve((_req, res) => {
      res.writeHead(200)
      res.write('a') // then nothing
    })
    const res = await send({ method: 'GET', url: quiet, lent }, limits, 'test')
    await expect(res.bytes(1024)).rejects.toThrow(/nothing moved for 0.3 s/)

    const trickle = await serve((_req, res) => {
      res.writeHead(200)
      const timer = setInterval(() => res.write('x'), 100)
      res.on('close', () => clearInterval(timer))
    })
    const slow = await send(
      { method: 'GET', url: trickle, lent },
      limits,
      'test'
    )
    await expect(slow.bytes(1024 * 1024)).rejects.toThrow(
      /not finished within 1.5 s/
    )
  })

  it('lets a blob trickle (no deadline) as long as bytes keep coming', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200)
      let n = 0
      const timer = setInterval(() => {
        res.write('x')
        if (++n === 20) {
          clearInterval(timer)
          res.end()
        }
      }, 100)
    })
    const res = await send(
      { method: 'GET', url, blob: true, lent },
      limits,
      'test'
    )
    expect((await res.bytes(1024)).toString()).toBe('x'.repeat(20))
  })

  it('refuses more than a limit, and reads a prefix of an error page', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(500)
      res.end('e'.repeat(10_000))
    })
    const big = await send({ method: 'GET', url, lent }, limits, 'test')
    await expect(big.bytes(100, 'the page')).rejects.toBeInstanceOf(
      ResponseTooLarge
    )
    const page = await send({ method: 'GET', url, lent }, limits, 'test')
    expect(await page.prefix(10)).toBe('e'.repeat(10))
  })

  it('keeps what it gathers of a body that comes in several reads', async () => {
    const page = JSON.stringify({
      errors: [{ code: 'BLOB_UNKNOWN', message: 'x'.repeat(6000) }]
    })
    const url = await serve((_req, res) => {
      res.writeHead(404, { 'content-length': page.length })
      res.write(page.slice(0, 3000))
      setTimeout(() => res.end(page.slice(3000)), 50)
    })
    const whole = await send({ method: 'GET', url, lent }, limits, 'test')
    expect((await whole.bytes(1 << 20)).toString()).toBe(page)
    const start = await send({ method: 'GET', url, lent }, limits, 'test')
    expect(await start.prefix(4000)).toBe(page.slice(0, 4000))
  })

  it('follows up to five redirects, without credentials on another origin', async () => {
    const seen: (string | undefined)[] = []
    const connections = new Set<string | undefined>()
    const target = await serve((req, res) => {
      seen.push(req.headers.authorization)
      connections.add(req.headers.connection)
      res.writeHead(200)
      res.end('ok')
    })
    const hops = (n: number): Promise<string> =>
      serve((req, res) => {
        seen.push(req.headers.authorization)
        const hop = Number(
          new URL(req.url ?? '/', 'http://x').searchParams.get('hop') ?? 0
        )
        res.writeHead(307, {
          location: hop + 1 < n ? `/?hop=${hop + 1}` : `${target}/blob`
        })
        res.end()
      })
    const five = await send(
      {
        method: 'GET',
        url: await hops(5),
        headers: { authorization: 'Basic c2VjcmV0' },
        lent
      },
      limits,
      'test'
    )
    expect(await five.bytes(10)).toEqual(Buffer.from('ok'))
    // The registry's own origin got the credentials on each hop; the storage host none.
    expect(seen).toEqual([...Array(5).fill('Basic c2VjcmV0'), undefined])
    // A lent GET came on its own connection (socket-get.ts), the others through fetch's pool.
    expect([...connections]).toEqual([lent ? 'close' : 'keep-alive'])
    await expect(
      send({ method: 'GET', url: await hops(6), lent }, limits, 'test')
    ).rejects.toThrow(/more than 5 redirects/)
  })

  it('says what failed below HTTP', async () => {
    await expect(
      send(
        { method: 'GET', url: 'http://127.0.0.1:9/v2/', lent },
        limits,
        'test'
      )
    ).rejects.toBeInstanceOf(NetworkError)
  })
})

describe('send an upload', () => {
  it('waits for the answer to an upload longer than for bytes, but not for ever', async () => {
    const answerAfter = (ms: number) =>
      serve((req, res) => {
        req.resume()
        req.on('end', () =>
          setTimeout(() => {
            res.writeHead(201)
            res.end()
          }, ms)
        )
      })
    async function* body(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('blob')
    }
    const patient = await send(
      { method: 'PUT', url: await answerAfter(600), body: body, blob: true },
      limits,
      'test'
    )
    expect(patient.status).toBe(201)
    await expect(
      send(
        { method: 'PUT', url: await answerAfter(1500), body: body, blob: true },
        limits,
        'test'
      )
    ).rejects.toThrow(/nothing moved for 0.9 s/)
  })
})

describe('proxiedByEnvironment', () => {
  it('says when Node sends fetch through a proxy, which a lent GET must go through too', () => {
    const proxy = { HTTPS_PROXY: 'http://proxy:3128' }
    expect(proxiedByEnvironment({ NODE_USE_ENV_PROXY: '1', ...proxy })).toBe(
      true
    )
    expect(
      proxiedByEnvironment({
        NODE_OPTIONS: '--max-old-space-size=4096 --use-env-proxy',
        http_proxy: 'http://proxy:3128'
      })
    ).toBe(true)
    expect(
      proxiedByEnvironment(proxy, [
        '--max-old-space-size=4096',
        '--use-env-proxy'
      ])
    ).toBe(true)
    expect(proxiedByEnvironment(proxy)).toBe(false)
    expect(proxiedByEnvironment({ NODE_USE_ENV_PROXY: '1' })).toBe(false)
  })
})
