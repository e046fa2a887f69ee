import {
  connect as connectTcp,
  isIP,
  type OnReadOpts,
  type Socket
} from 'node:net'
import { connect as connectTls } from 'node:tls'

/**
 * A GET whose body is lent to the caller chunk by chunk, each valid until the next is asked for.
 * For layer blobs that are only hashed and decompressed (the check of a previous image's blob):
 * `fetch` allocates each chunk afresh, and on these machines a 30 MB blob cost 0.3 s of this
 * thread that way against 0.04 s here, most of it page faults on the new memory. Over plain HTTP
 * the socket reads into one buffer, reused for every read (`onread`); over TLS the records come as
 * `data` events in memory of their own, as Node's TLS layer may decrypt several records per read
 * into an `onread` buffer before the first is taken. HTTP/1.1 only, one connection per request
 * (`Connection: close`), no proxy.
 */

/** Plain HTTP socket reads land here: the most a chunk lent to the caller holds. */
const readBytes = 1024 * 1024
/** The status line and headers together; a registry's are a few hundred bytes. */
const headLimit = 64 * 1024
/** Interim (1xx) answers before the real one: a registry sends none to a GET. */
const maxInterim = 10
/** A chunk-size line of a chunked body, with its extensions. */
const chunkLineLimit = 4096

/** The answer to a GET: status and headers, the body still on the socket. */
export interface SocketResponse {
  status: number
  headers: Headers
  body: LentBody | null
}

/** A body read chunk by chunk: each chunk is valid until the next `read` (or `cancel`). */
export interface LentBody {
  /** The next chunk, or undefined at the end of the body. */
  read(): Promise<Uint8Array | undefined>
  cancel(): Promise<void>
}

/** A header value that would end the line it is on and start another (a token's `\r\n`). */
const unsafeHeaderValue = /[\r\n\0]/

/**
 * Sends `GET url` on a new connection and resolves once the response's head has arrived. The
 * signal destroys the connection (the caller's time limits); failures reject with the cause.
 */
export function socketGet(
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal
): Promise<SocketResponse> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return Promise.reject(new Error(`cannot GET a ${url.protocol} URL`))
  for (const [name, value] of Object.entries(headers))
    if (unsafeHeaderValue.test(value) || unsafeHeaderValue.test(name))
      return Promise.reject(
        new Error(`header ${JSON.stringify(name)} holds a line break`)
      )
  const exchange = new Exchange(signal)
  return exchange.start(url, headers)
}

type Framing =
  { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' }

/** One request and its response on one connection. */
class Exchange implements LentBody {
  private socket?: Socket
  /** The head so far, when it takes more than one read: copied, as the reads' memory is reused. */
  private head: Buffer[] = []
  private headBytes = 0
  /** Interim (1xx) answers so far. */
  private interim = 0
  /** The head's last three bytes so far: its end may begin there. */
  private headTail = Buffer.alloc(0)
  private answered?: {
    resolve: (response: SocketResponse) => void
    reject: (error: unknown) => void
  }
  private framing?: Framing
  private chunked = new ChunkedDecoder()
  /**
   * The body bytes of the last read, not handed out yet (one view: a read's chunked data is
   * joined): the socket is paused until they are.
   */
  private pending?: Uint8Array
  private finished = false
  private failure?: unknown
  private waiting?: () => void

  constructor(private readonly signal: AbortSignal) {}

  start(url: URL, headers: Record<string, string>): Promise<SocketResponse> {
    return new Promise<SocketResponse>((resolve, reject) => {
      this.answered = { resolve, reject }
      if (this.signal.aborted) return this.fail(this.signal.reason)
      const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
      const secure = url.protocol === 'https:'
      const port = Number(url.port) || (secure ? 443 : 80)
      if (secure) {
        this.socket = connectTls({
          host,
          port,
          servername: isIP(host) ? undefined : host,
          ALPNProtocols: ['http/1.1']
        })
        this.socket.on('data', (data: Buffer) => {
          if (!this.received(data)) this.socket?.pause()
        })
      } else {
        const buffer = Buffer.allocUnsafe(readBytes)
        const onread: OnReadOpts = {
          buffer,
          callback: (bytes: number) => this.received(buffer.subarray(0, bytes))
        }
        this.socket = connectTcp({ host, port, onread })
      }
      this.socket.on('error', error => this.fail(error))
      this.socket.on('close', () => this.closed())
      this.signal.addEventListener('abort', this.onAbort, { once: true })
      const lines = [
        `GET ${url.pathname}${url.search} HTTP/1.1`,
        `host: ${url.host}`,
        ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
        // The bytes as stored: a blob is hashed as it comes, never decoded.
        'accept-encoding: identity',
        'connection: close',
        '',
        ''
      ]
      this.socket.write(lines.join('\r\n'))
    })
  }

  async read(): Promise<Uint8Array | undefined> {
    for (;;) {
      const next = this.pending
      this.pending = undefined
      if (next) return next
      if (this.failure !== undefined) throw this.failure
      if (this.finished) return undefined
      // Everything lent before is given back by asking for more: the buffer may be read into.
      await new Promise<void>(resolve => {
        this.waiting = resolve
        this.socket?.resume()
      })
    }
  }

  async cancel(): Promise<void> {
    this.finished = true
    this.pending = undefined
    this.end()
    this.wake()
  }

  private readonly onAbort = (): void => this.fail(this.signal.reason)

  /**
   * A socket read (a view of the reused buffer, or a TLS record): bytes of the head, then of the
   * body. False pauses the socket until what it gave is taken.
   */
  private received(data: Uint8Array): boolean {
    if (!this.framing) {
      const body = this.readHead(data)
      if (body === undefined) return true
      data = body
    }
    try {
      this.takeBody(data)
    } catch (error) {
      this.fail(error)
      return false
    }
    this.wake()
    return this.pending === undefined && !this.finished
  }

  /**
   * Gathers the head, copying what a read holds of it (the read's memory is reused); once whole,
   * answers with it and gives back the body bytes after it in this read. Only the bytes new in a
   * read are searched, with the three before them: a head trickled byte by byte costs no more than
   * one that comes at once.
   */
  private readHead(data: Uint8Array): Uint8Array | undefined {
    const before = this.headBytes
    const last = this.headTail
    const seam = Buffer.concat([last, data.subarray(0, 3)]).indexOf('\r\n\r\n')
    const inData = Buffer.from(
      data.buffer,
      data.byteOffset,
      data.length
    ).indexOf('\r\n\r\n')
    const end =
      seam >= 0
        ? before - last.length + seam
        : inData >= 0
          ? before + inData
          : -1
    if (end < 0 || end > headLimit) {
      // What is kept may hold three bytes of the end of a head of the limit's size.
      if (end > headLimit || before + data.length > headLimit + 3)
        this.fail(
          new Error(`the response head is larger than ${headLimit} bytes`)
        )
      else {
        this.head.push(Buffer.from(data))
        this.headBytes += data.length
        this.headTail = Buffer.concat([last, data.subarray(-3)]).subarray(-3)
      }
      return undefined
    }
    const text = Buffer.concat([
      ...this.head,
      data.subarray(0, Math.max(0, end - before))
    ])
      .subarray(0, end)
      .toString('latin1')
    this.head = []
    this.headBytes = 0
    this.headTail = Buffer.alloc(0)
    // The end of the head may have begun in an earlier read: the rest is in this one.
    const rest = data.subarray(end + 4 - before)
    let response: { status: number; headers: Headers }
    try {
      response = parseHead(text)
      // An interim answer (100 Continue) is followed by the real one; a few at most.
      if (response.status < 200) {
        if (++this.interim > maxInterim)
          throw new Error(`more than ${maxInterim} interim responses`)
        return rest.length ? this.readHead(rest) : undefined
      }
      this.framing = framingOf(response.status, response.headers)
    } catch (error) {
      this.fail(error)
      return undefined
    }
    const answered = this.answered
    this.answered = undefined
    const noBody = this.framing.kind === 'length' && this.framing.left === 0
    if (noBody) this.finish()
    answered?.resolve({ ...response, body: noBody ? null : this })
    return rest
  }

  private takeBody(data: Uint8Array): void {
    const framing = this.framing!
    if (framing.kind === 'close') {
      if (data.length) this.pending = data
      return
    }
    if (framing.kind === 'length') {
      // Bytes past the declared length are not the body's: dropped with the connection.
      const take = Math.min(framing.left, data.length)
      if (take) this.pending = data.subarray(0, take)
      framing.left -= take
      if (framing.left === 0) this.finish()
      return
    }
    const joined = joinedInPlace(this.chunked.decode(data))
    if (joined?.length) this.pending = joined
    if (this.chunked.done) this.finish()
  }

  /** The body is complete: the connection is no longer needed. */
  private finish(): void {
    this.finished = true
    this.end()
  }

  private closed(): void {
    if (this.finished) return
    if (this.framing?.kind === 'close') {
      this.finished = true
      this.wake()
      return
    }
    this.fail(
      new Error(
        this.framing
          ? this.framing.kind === 'length'
            ? `the connection closed ${this.framing.left} bytes before the end of the body`
            : 'the connection closed before the end of the chunked body'
          : 'the connection closed before a response arrived'
      )
    )
  }

  private fail(error: unknown): void {
    if (this.failure !== undefined || (this.finished && !this.answered)) return
    this.failure = error
    this.pending = undefined
    this.answered?.reject(error)
    this.answered = undefined
    this.end()
    this.wake()
  }

  private end(): void {
    this.signal.removeEventListener('abort', this.onAbort)
    this.socket?.destroy()
  }

  private wake(): void {
    const waiting = this.waiting
    this.waiting = undefined
    waiting?.()
  }
}

/**
 * The data of a read's chunks as one view: moved together over the size lines between them, within
 * the read's own memory. A body of tiny chunks is then one piece per read, not one per chunk.
 */
function joinedInPlace(parts: Uint8Array[]): Uint8Array | undefined {
  if (parts.length <= 1) return parts[0]
  const [first] = parts
  const memory = new Uint8Array(first.buffer)
  let end = first.byteOffset + first.length
  for (const part of parts.slice(1)) {
    memory.copyWithin(end, part.byteOffset, part.byteOffset + part.length)
    end += part.length
  }
  return memory.subarray(first.byteOffset, end)
}

const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** The status line and header fields (RFC 9112 §4, §5); anything malformed is refused. */
function parseHead(text: string): { status: number; headers: Headers } {
  const [statusLine, ...lines] = text.split('\r\n')
  const status = /^HTTP\/1\.[01] ([1-9]\d\d)(?: |$)/.exec(statusLine)
  if (!status)
    throw new Error(
      `not an HTTP/1.1 status line: ${JSON.stringify(statusLine.slice(0, 80))}`
    )
  const headers = new Headers()
  for (const line of lines) {
    const colon = line.indexOf(':')
    const name = line.slice(0, colon)
    if (colon <= 0 || !token.test(name))
      throw new Error(
        `a malformed header line: ${JSON.stringify(line.slice(0, 80))}`
      )
    headers.append(name, line.slice(colon + 1).trim())
  }
  return { status: Number(status[1]), headers }
}

/** Where the body ends (RFC 9112 §6.3). */
function framingOf(status: number, headers: Headers): Framing {
  if (status === 204 || status === 304) return { kind: 'length', left: 0 }
  const coding = headers.get('transfer-encoding')
  if (coding !== null)
    return /(?:^|,)\s*chunked\s*$/i.test(coding)
      ? { kind: 'chunked' }
      : { kind: 'close' }
  const length = headers.get('content-length')
  if (length === null) return { kind: 'close' }
  const values = new Set(length.split(',').map(value => value.trim()))
  const [value] = values
  if (values.size !== 1 || !/^\d{1,15}$/.test(value))
    throw new Error(`an invalid content-length: ${JSON.stringify(length)}`)
  return { kind: 'length', left: Number(value) }
}

/**
 * Takes a chunked body apart (RFC 9112 §7.1) as it arrives, in any pieces: the data are views of
 * what it is given, the size lines and trailers are dropped.
 */
export class ChunkedDecoder {
  done = false
  private state: 'size' | 'data' | 'data-end' | 'trailer' = 'size'
  private line = ''
  private left = 0
  /** Trailer bytes so far: bounded like a head. */
  private trailers = 0

  decode(input: Uint8Array): Uint8Array[] {
    const data: Uint8Array[] = []
    let at = 0
    while (at < input.length && !this.done) {
      if (this.state === 'data') {
        const take = Math.min(this.left, input.length - at)
        data.push(input.subarray(at, at + take))
        at += take
        this.left -= take
        if (this.left === 0) this.state = 'data-end'
        continue
      }
      const newline = input.indexOf(0x0a, at)
      const end = newline < 0 ? input.length : newline
      this.line += Buffer.from(
        input.buffer,
        input.byteOffset + at,
        end - at
      ).toString('latin1')
      at = newline < 0 ? input.length : newline + 1
      if (this.line.length > chunkLineLimit)
        throw new Error(
          `a chunked body's line is longer than ${chunkLineLimit} bytes`
        )
      if (newline < 0) break
      const line = this.line.replace(/\r$/, '')
      this.line = ''
      this.takeLine(line)
    }
    return data
  }

  private takeLine(line: string): void {
    if (this.state === 'data-end') {
      if (line !== '') throw new Error('a chunk is longer than its size says')
      this.state = 'size'
    } else if (this.state === 'trailer') {
      this.trailers += line.length + 2
      if (this.trailers > headLimit)
        throw new Error(
          `a chunked body's trailers are larger than ${headLimit} bytes`
        )
      if (line === '') this.done = true
    } else {
      const size = /^([0-9a-fA-F]{1,12})[ \t]*(?:;.*)?$/.exec(line)
      if (!size)
        throw new Error(
          `an invalid chunk size: ${JSON.stringify(line.slice(0, 40))}`
        )
      this.left = parseInt(size[1], 16)
      this.state = this.left === 0 ? 'trailer' : 'data'
    }
  }
}
