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

/** A failure below HTTP: connection refused or reset, TLS, a body cut short. */
export class NetworkError extends Error {
  readonly temporary = true
  constructor(method: string, url: string, cause: unknown) {
    super(`${method} ${redact(url)}: ${describeCause(cause)}`, { cause })
    this.name = 'NetworkError'
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

export function isTemporary(error: unknown): boolean {
  return (
    (error instanceof RegistryError && error.temporary) ||
    error instanceof NetworkError ||
    error instanceof UploadRestart
  )
}

/** Parses an error response body (`{"errors":[{"code","message"}]}`), read up to 64 KiB. */
export async function registryError(
  method: string,
  url: string,
  response: Response
): Promise<RegistryError> {
  let codes: string[] = []
  let detail = ''
  if (method !== 'HEAD') {
    const text = await readCapped(response, 64 * 1024)
    try {
      const body = JSON.parse(text) as {
        errors?: { code?: string; message?: string }[]
      }
      codes = (body.errors ?? []).map(e => e.code ?? 'UNKNOWN')
      detail = (body.errors ?? [])
        .map(e => e.message)
        .filter(Boolean)
        .join('; ')
    } catch {
      detail = text.trim().slice(0, 200)
    }
  } else {
    await response.body?.cancel().catch(() => {})
  }
  return new RegistryError(
    method,
    url,
    response.status,
    codes,
    detail,
    retryAfter(response.headers.get('retry-after'))
  )
}

async function readCapped(response: Response, limit: number): Promise<string> {
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    while (total < limit) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      total += value.length
    }
  } catch {
    // A body cut short still says something.
  } finally {
    await reader.cancel().catch(() => {})
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8')
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
