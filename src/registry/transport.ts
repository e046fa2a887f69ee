import type { Registry } from '../oci/reference'
import { silentLogger, type Logger } from '../util/log'
import {
  defaultRetryPolicy,
  loggingRetries,
  withRetries,
  type RetryPolicy
} from '../util/retry'
import { Authenticator } from './auth'
import { registryError, retryableFailures } from './errors'
import {
  defaultLimits,
  send,
  type HttpRequest,
  type HttpResponse,
  type Limits
} from './http'
import type { Keychain } from './keychain'

/** A request to the registry's API, with the token scopes it needs and the statuses it expects. */
export interface RegistryRequest extends HttpRequest {
  scopes: string[]
  /** Statuses that count as an answer; anything else is a `RegistryError`. */
  ok: number[]
  /** False when the caller retries a larger operation itself (an upload session). */
  retries?: boolean
}

export type Send = (request: HttpRequest) => Promise<HttpResponse>
export type Transport = (request: RegistryRequest) => Promise<HttpResponse>

export interface TransportOptions {
  keychain: Keychain
  insecureRegistries?: string[]
  retry?: RetryPolicy
  limits?: Limits
  log?: Logger
  userAgent?: string
  /**
   * Whether a lent blob read may use its own socket (`HttpRequest.lent`); false when Node sends
   * HTTP through a proxy (`proxiedByEnvironment`), which only `fetch` goes through.
   */
  socketReads?: boolean
}

/**
 * Whether Node's `fetch` sends requests through a proxy named in the environment: Node 24 does
 * so with `NODE_USE_ENV_PROXY=1` or `--use-env-proxy` (in `NODE_OPTIONS` or among Node's own
 * flags, `execArgv`) and `HTTP(S)_PROXY`.
 */
export function proxiedByEnvironment(
  env: NodeJS.ProcessEnv,
  execArgv: readonly string[] = []
): boolean {
  const enabled =
    env.NODE_USE_ENV_PROXY === '1' ||
    execArgv.includes('--use-env-proxy') ||
    /(?:^|\s)--use-env-proxy(?:\s|$)/.test(env.NODE_OPTIONS ?? '')
  return (
    enabled &&
    ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'].some(
      name => !!env[name]
    )
  )
}

/** Turns any status the request does not expect into a `RegistryError` (temporary or not). */
function checkingStatus(inner: Transport): Transport {
  return async request => {
    const res = await inner(request)
    if (!request.ok.includes(res.status))
      throw await registryError(request.method, res)
    return res
  }
}

/** Retries temporary failures with backoff, unless the request's caller retries a larger operation. */
function retrying(
  inner: Transport,
  policy: RetryPolicy,
  log: Logger
): Transport {
  return request =>
    request.retries === false
      ? inner(request)
      : withRetries(
          () => inner(request),
          policy,
          retryableFailures(),
          loggingRetries(log)
        )
}

/**
 * The transport to one registry, stacked like go-containerregistry's `transport` package: HTTP
 * with time bounds and redirects (`http.ts`), auth (`auth.ts`), status checks, retries.
 */
export function registryTransport(
  registry: Registry,
  options: TransportOptions
): { baseUrl: string; transport: Transport } {
  const insecure =
    registry.isLoopback ||
    (options.insecureRegistries ?? []).includes(registry.name)
  const baseUrl = `${insecure ? 'http' : 'https'}://${registry.apiHost}`
  const limits = options.limits ?? defaultLimits
  const userAgent = options.userAgent ?? 'imprint'
  const log = options.log ?? silentLogger
  const retry = options.retry ?? defaultRetryPolicy
  const socketReads = options.socketReads ?? true
  const auth = new Authenticator(
    request => send(request, limits, userAgent, socketReads),
    {
      registry,
      baseUrl,
      keychain: options.keychain,
      retry,
      log,
      limits
    }
  )
  return {
    baseUrl,
    transport: retrying(checkingStatus(auth.transport), retry, log)
  }
}
