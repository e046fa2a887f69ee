import type { Readable } from 'node:stream'
import type {
  ReadableStream,
  ReadableStreamDefaultReader
} from 'node:stream/web'
import { NetworkError, redact, ResponseTooLarge, TimeLimit } from './errors'
import { socketGet, type LentBody } from './socket-get'

/**
 * Bounds on one request, so a registry that stalls or trickles cannot hold a job forever. A blob
 * transfer may take long, but its bytes never stop for `idleMs`; once an upload's body is sent,
 * the registry may take `answerMs` to answer (it checks the digest, a cloud store moves the
 * data). Anything of bounded size (a ping, a manifest, a token, an error page) must also be done
 * within `deadlineMs`.
 */
export interface Limits {
  idleMs: number
  deadlineMs: number
  answerMs: number
}

export const defaultLimits: Limits = {
  idleMs: 30_000,
  deadlineMs: 60_000,
  answerMs: 600_000
}

/** The most a response of each kind may hold; registries cap manifests at 4 MiB too. */
export const sizeLimits = {
  manifest: 4 * 1024 * 1024,
  /** Configs, signature payloads and bundles: small JSON blobs read whole. */
  smallBlob: 8 * 1024 * 1024,
  /**
   * A signed attestation read back whole: a `.att` layer (a DSSE envelope) or a bundle referrer's
   * layer. An SBOM of many thousand packages is several megabytes, base64 adds a third.
   */
  attestation: 64 * 1024 * 1024,
  token: 1024 * 1024,
  errorBody: 64 * 1024
} as const

export type RequestBody =
  Buffer | string | Readable | AsyncIterable<Uint8Array> | undefined

export interface HttpRequest {
  method: string
  url: string
  headers?: Record<string, string>
  /** Opened for each attempt, so a request can be sent again. */
  body?: () => Promise<RequestBody> | RequestBody
  /** A blob goes up or comes down: no overall deadline, only the idle and answer limits. */
  blob?: boolean
  /**
   * The body's chunks are lent: each is valid only until the next is asked for. A GET is then
   * read straight off its own socket (`socket-get.ts`; over plain HTTP into one reused buffer),
   * for a caller that hashes or decompresses every chunk before it asks for the next.
   */
  lent?: boolean
  /** Tighter bounds for this request (a ping). */
  limits?: Partial<Limits>
}

/**
 * A response whose body can only be read within bounds: whole up to a size limit, or as a stream
 * that fails when it goes quiet. Reading or discarding it ends its timers.
 */
export class HttpResponse {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    /** Where the answer came from, after redirects. */
    readonly url: string,
    private readonly body: LentBody | null,
    private readonly clock: RequestClock,
    private readonly method: string,
    /** The body's chunks are lent (`HttpRequest.lent`): what is kept past a chunk is copied. */
    private readonly lent = false
  ) {}

  /** The whole body, failing once it exceeds `limit` bytes. */
  async bytes(limit: number, what = 'the response'): Promise<Buffer> {
    const chunks: Uint8Array[] = []
    let total = 0
    for await (const chunk of this.stream()) {
      total += chunk.length
      if (total > limit) {
        await this.discard()
        throw new ResponseTooLarge(what, this.url, limit)
      }
      chunks.push(this.lent ? Buffer.from(chunk) : chunk)
    }
    return Buffer.concat(chunks, total)
  }

  /** At most the first `limit` bytes of the body as text, the rest dropped: for error pages. */
  async prefix(limit: number): Promise<string> {
    const chunks: Uint8Array[] = []
    let total = 0
    try {
      for await (const chunk of this.stream()) {
        const kept = chunk.subarray(0, limit - total)
        chunks.push(this.lent ? Buffer.from(kept) : kept)
        total += kept.length
        if (total >= limit) break
      }
    } catch {
      // A body cut short still says something.
    }
    await this.discard()
    return Buffer.concat(chunks).subarray(0, limit).toString('utf8')
  }

  /** The body as it arrives; every chunk counts as progress against the idle limit. */
  async *stream(): AsyncGenerator<Uint8Array> {
    if (!this.body) {
      this.clock.stop()
      return
    }
    try {
      for (;;) {
        let chunk: Uint8Array | undefined
        try {
          chunk = await this.body.read()
        } catch (error) {
          throw new NetworkError(
            this.method,
            this.url,
            this.clock.reason() ?? error
          )
        }
        if (chunk === undefined) return
        this.clock.touch()
        yield chunk
      }
    } finally {
      this.clock.stop()
      await this.body.cancel().catch(() => {})
    }
  }

  async discard(): Promise<void> {
    this.clock.stop()
    await this.body?.cancel().catch(() => {})
  }
}

/** The idle and deadline timers of one request; either one aborts it. */
class RequestClock {
  readonly controller = new AbortController()
  private idle?: NodeJS.Timeout
  private deadline?: NodeJS.Timeout
  private why?: Error
  private stopped = false
  private quietMs: number

  constructor(
    private readonly limits: Limits,
    bounded: boolean
  ) {
    this.quietMs = limits.idleMs
    if (bounded) {
      this.deadline = setTimeout(
        () => this.abort(`not finished within ${limits.deadlineMs / 1000} s`),
        limits.deadlineMs
      )
      this.deadline.unref()
    }
    this.touch()
  }

  /** Bytes moved: the idle limit starts again. */
  touch(): void {
    if (this.stopped) return
    clearTimeout(this.idle)
    this.idle = setTimeout(
      () => this.abort(`nothing moved for ${this.quietMs / 1000} s`),
      this.quietMs
    )
    this.idle.unref()
  }

  /** The request body is sent: the answer may now take `answerMs`, then bytes flow again. */
  waitForAnswer(): void {
    this.quietMs = this.limits.answerMs
    this.touch()
  }

  answered(): void {
    this.quietMs = this.limits.idleMs
    this.touch()
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.idle)
    clearTimeout(this.deadline)
  }

  reason(): Error | undefined {
    return this.why
  }

  private abort(message: string): void {
    this.why = new TimeLimit(message)
    this.stop()
    this.controller.abort(this.why)
  }
}

const maxRedirects = 5

/** A fetch body as a `LentBody` (its chunks are its own, never reused). */
function readerOf(stream: ReadableStream<Uint8Array> | null): LentBody | null {
  if (!stream) return null
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined
  return {
    async read() {
      reader ??= stream.getReader()
      const next = await reader.read()
      return next.done ? undefined : next.value
    },
    async cancel() {
      await (reader ?? stream).cancel().catch(() => {})
    }
  }
}

/** What `send` needs of an answer, from `fetch` or `socketGet`. */
interface Answer {
  status: number
  headers: Headers
  body: LentBody | null
}

async function fetched(url: string, init: RequestInit): Promise<Answer> {
  const res = await fetch(url, init)
  return {
    status: res.status,
    headers: res.headers,
    body: readerOf(res.body as ReadableStream<Uint8Array> | null)
  }
}

/** A request body that counts what it sends as progress, and says when it is all sent. */
async function* progressing(
  source: Readable | AsyncIterable<Uint8Array>,
  clock: RequestClock
): AsyncGenerator<Uint8Array> {
  for await (const chunk of source as AsyncIterable<Uint8Array>) {
    clock.touch()
    yield chunk
  }
  clock.waitForAnswer()
}

/**
 * Sends one request with bounded time. Redirects of body-less requests are followed here (up to
 * five, never from https to http), and `authorization` is sent to the first origin only: a
 * storage host a registry redirects to never sees the registry's credentials.
 */
export async function send(
  request: HttpRequest,
  limits: Limits,
  userAgent: string,
  /** False sends lent GETs through `fetch` too: Node's proxy settings reach only `fetch`. */
  socketReads = true
): Promise<HttpResponse> {
  const origin = new URL(request.url).origin
  let url = request.url
  // Opened before the clock starts: a source read from another registry takes its own time.
  const opened = request.body ? await request.body() : undefined
  const clock = new RequestClock(
    { ...limits, ...request.limits },
    !request.blob
  )
  const streamed =
    opened !== undefined &&
    !Buffer.isBuffer(opened) &&
    typeof opened !== 'string'
  const body = streamed ? progressing(opened, clock) : opened
  if (opened !== undefined && !streamed) clock.waitForAnswer()
  for (let hop = 0; ; hop++) {
    const headers: Record<string, string> = {
      'user-agent': userAgent,
      ...request.headers
    }
    if (new URL(url).origin !== origin) delete headers.authorization
    const lent =
      socketReads &&
      !!request.lent &&
      request.method === 'GET' &&
      body === undefined
    let res: Answer
    try {
      res = lent
        ? await socketGet(new URL(url), headers, clock.controller.signal)
        : await fetched(url, {
            method: request.method,
            headers,
            body: body as never,
            redirect: 'manual',
            signal: clock.controller.signal,
            ...(streamed ? { duplex: 'half' } : {})
          } as RequestInit)
    } catch (error) {
      clock.stop()
      throw new NetworkError(request.method, url, clock.reason() ?? error)
    }
    clock.answered()
    const location = res.headers.get('location')
    const redirect = [301, 302, 303, 307, 308].includes(res.status)
    if (!redirect || !location || body !== undefined) {
      if (request.method === 'HEAD' || !res.body) clock.stop()
      return new HttpResponse(
        res.status,
        res.headers,
        url,
        res.body,
        clock,
        request.method,
        lent
      )
    }
    await res.body?.cancel()
    const next = new URL(location, url)
    const why =
      hop >= maxRedirects
        ? `more than ${maxRedirects} redirects`
        : new URL(url).protocol === 'https:' && next.protocol !== 'https:'
          ? `redirected from https to ${next.protocol}; refusing to downgrade`
          : undefined
    if (why) {
      clock.stop()
      throw new Error(`${request.method} ${redact(request.url)}: ${why}`)
    }
    url = next.toString()
  }
}
