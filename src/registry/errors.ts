import { foreignText } from '../util/text'
import { sizeLimits, type HttpResponse } from './http'

/** Error codes whose presence alone makes a failure worth retrying (go-containerregistry's list). */
const temporaryCodes = new Set([
  'BLOB_UPLOAD_INVALID',
  'TOOMANYREQUESTS',
  'UNKNOWN',
  'UNAVAILABLE'
])
const temporaryStatuses = new Set([408, 429, 499, 500, 502, 503, 504, 522])

/** Strips credentials and query parameters that may carry tokens from a URL before it is shown. */
export function redact(url: string): string {
  try {
    const u = new URL(url)
    u.username = ''
    u.password = ''
    for (const key of [...u.searchParams.keys()]) {
      if (
        !['digest', 'mount', 'from', 'n', 'last', 'service', 'scope'].includes(
          key
        )
      ) {
        u.searchParams.set(key, 'REDACTED')
      }
    }
    return u.toString()
  } catch {
    return '<invalid url>'
  }
}

/** A registry's answer that was not a success, with the OCI error codes from its body. */
export class RegistryError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly codes: string[],
    detail: string,
    readonly retryAfterMs?: number
  ) {
    const what = codes.length
      ? `${codes.join(', ')}${detail ? `: ${detail}` : ''}`
      : detail || 'no error body'
    const hint = method === 'HEAD' ? ' (HEAD responses have no body)' : ''
    super(`${method} ${redact(url)}: ${status} ${what}${hint}`)
    this.name = 'RegistryError'
  }

  get temporary(): boolean {
    if (this.codes.length) return this.codes.every(c => temporaryCodes.has(c))
    return temporaryStatuses.has(this.status)
  }
}

/** A failure below HTTP: connection refused or reset, TLS, a timeout, a body cut short. */
export class NetworkError extends Error {
  /** A host name that does not resolve will not start resolving on a retry. */
  readonly temporary: boolean
  /** The request was given up by its own time limits (see `http.ts`). */
  readonly timedOut: boolean
  constructor(method: string, url: string, cause: unknown) {
    super(`${method} ${redact(url)}: ${describeCause(cause)}`, { cause })
    this.name = 'NetworkError'
    this.temporary = !/ENOTFOUND|ERR_INVALID_URL|bad port|certificate/i.test(
      describeCause(cause)
    )
    this.timedOut = cause instanceof TimeLimit
  }
}

/** A request's own time limit ran out (nothing moved, or not finished in time). */
export class TimeLimit extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TimeLimit'
  }
}

/** A response larger than its kind may be (a manifest over 4 MiB, an endless token answer). */
export class ResponseTooLarge extends Error {
  readonly temporary = false
  constructor(what: string, url: string, limit: number) {
    super(
      `${what} from ${redact(url)} is larger than ${limit} bytes; refusing to read more`
    )
    this.name = 'ResponseTooLarge'
  }
}

/** The registry could not be reached at all; every later request of the run fails the same way. */
export class RegistryUnreachable extends Error {
  readonly temporary = false
  constructor(
    readonly registry: string,
    cause: unknown
  ) {
    super(
      `registry ${registry} cannot be reached (${cause instanceof Error ? cause.message : String(cause)}); check the registry host and port in the image or base name, the network, and insecure-registries for a plain-HTTP registry`,
      { cause }
    )
    this.name = 'RegistryUnreachable'
  }
}

/** The registry refused our credentials (or their absence) in a way retrying cannot fix. */
export class AuthenticationError extends Error {
  constructor(
    readonly registry: string,
    readonly credentialOrigin: string | undefined,
    detail: string
  ) {
    super(
      credentialOrigin
        ? `registry ${registry} rejected the credentials from ${credentialOrigin} (${detail})`
        : `registry ${registry} requires credentials (${detail}); set the username and password inputs or log in with docker/login-action`
    )
    this.name = 'AuthenticationError'
  }
}

/** The reference names something other than an image or an index of images. */
export class NotAnImage extends Error {
  constructor(
    readonly reference: string,
    readonly mediaType: string
  ) {
    super(
      `${reference} is a ${mediaType || 'manifest of unknown type'}, not an image`
    )
    this.name = 'NotAnImage'
  }
}

/** An upload session that cannot be continued; the whole upload starts again from POST. */
export class UploadRestart extends Error {
  readonly temporary = true
  constructor(digest: string, cause: unknown) {
    super(`upload of ${digest} must restart: ${describeCause(cause)}`, {
      cause
    })
    this.name = 'UploadRestart'
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as Error & { cause?: unknown }).cause
    if (inner instanceof Error) return `${cause.message} (${inner.message})`
    return cause.message
  }
  return String(cause)
}

/**
 * What one operation retries: temporary failures, but a timeout only once, since a server that
 * stalls twice will stall again and each wait is long. A new predicate for each operation.
 */
export function retryableFailures(): (error: unknown) => boolean {
  let timeouts = 0
  return error =>
    isTemporary(error) &&
    !(error instanceof NetworkError && error.timedOut && ++timeouts > 1)
}

/** Whether retrying the same request may succeed. */
export function isTemporary(error: unknown): boolean {
  return (
    (error instanceof RegistryError ||
      error instanceof NetworkError ||
      error instanceof UploadRestart) &&
    error.temporary
  )
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function retryAfter(
  value: string | null,
  now = Date.now()
): number | undefined {
  if (value === null || value.trim() === '') return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** Parses an error body (`{"errors":[{"code","message"}]}`) into codes and a short detail. */
function errorDetail(text: string): { codes: string[]; detail: string } {
  try {
    const body = JSON.parse(text) as {
      errors?: { code?: unknown; message?: unknown }[]
    }
    if (Array.isArray(body.errors)) {
      return {
        codes: body.errors.map(e =>
          /^[A-Z_]{1,64}$/.test(String(e?.code)) ? String(e.code) : 'UNKNOWN'
        ),
        detail: foreignText(
          body.errors
            .map(e => (typeof e?.message === 'string' ? e.message : ''))
            .filter(Boolean)
            .join('; '),
          500
        )
      }
    }
  } catch {
    // not JSON: the text itself, shortened
  }
  return { codes: [], detail: foreignText(text) }
}

/** Reads an unwanted answer into a `RegistryError`, with at most 64 KiB of its body. */
export async function registryError(
  method: string,
  res: HttpResponse
): Promise<RegistryError> {
  const { codes, detail } =
    method === 'HEAD'
      ? (await res.discard(), { codes: [], detail: '' })
      : errorDetail(await res.prefix(sizeLimits.errorBody))
  return new RegistryError(
    method,
    res.url,
    res.status,
    codes,
    detail,
    retryAfter(res.headers.get('retry-after'))
  )
}
