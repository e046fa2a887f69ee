import type { Registry } from '../oci/reference'
import type { Logger } from '../util/log'
import { loggingRetries, withRetries, type RetryPolicy } from '../util/retry'
import {
  AuthenticationError,
  NetworkError,
  registryError,
  RegistryUnreachable
} from './errors'
import { sizeLimits, type HttpResponse, type Limits } from './http'
import type { Credential, Keychain } from './keychain'
import type { RegistryRequest, Send, Transport } from './transport'

/** One `WWW-Authenticate` challenge. */
export interface Challenge {
  scheme: 'basic' | 'bearer' | string
  params: Record<string, string>
}

/** Parses `Bearer realm="…",service="…",scope="…"` (quoted values may hold commas). */
export function parseChallenge(header: string): Challenge {
  const trimmed = header.trim()
  const space = trimmed.indexOf(' ')
  const scheme = (space < 0 ? trimmed : trimmed.slice(0, space)).toLowerCase()
  const params: Record<string, string> = {}
  const rest = space < 0 ? '' : trimmed.slice(space + 1)
  const pattern =
    /([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g
  for (let m = pattern.exec(rest); m; m = pattern.exec(rest)) {
    params[m[1].toLowerCase()] =
      m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]
  }
  return { scheme, params }
}

/** The scope string a token request asks for: `repository:acme/api:pull,push`. */
export function repositoryScope(
  path: string,
  actions: 'pull' | 'pull,push'
): string {
  return `repository:${path}:${actions}`
}

interface AuthOptions {
  registry: Registry
  /** `https://host` or, for loopback and insecure registries, `http://host`. */
  baseUrl: string
  keychain: Keychain
  retry: RetryPolicy
  log: Logger
  limits: Limits
}

type Scheme = 'none' | 'basic' | 'bearer'

/**
 * The auth layer: learns the scheme from one `GET /v2/` (a failure is remembered, so an
 * unreachable registry fails every request at once instead of pinging again), sends Basic
 * credentials or per-scope bearer tokens to the registry's own origin, and answers a 401 of the
 * registry (never of a host it redirected to) once with fresh credentials.
 */
export class Authenticator {
  private scheme?: Promise<Scheme>
  private challenge?: Challenge
  private credential?: Promise<Credential | undefined>
  private readonly tokens = new Map<string, Promise<string>>()
  private readonly origin: string

  constructor(
    private readonly send: Send,
    private readonly options: AuthOptions
  ) {
    this.origin = new URL(options.baseUrl).origin
  }

  readonly transport: Transport = async request => {
    let res = await this.send({
      ...request,
      headers: await this.withAuthorization(request, false)
    })
    if (res.status !== 401) return res
    if (new URL(res.url).origin !== this.origin) {
      // A storage host that wants its own credentials gets none of the registry's.
      await res.discard()
      throw new AuthenticationError(
        this.options.registry.name,
        undefined,
        `${new URL(res.url).host}, where the registry redirected ${request.method} ${new URL(request.url).pathname}, asked for credentials; the registry's are not sent there`
      )
    }
    const header = res.headers.get('www-authenticate')
    await res.discard()
    if (header) this.challenge = parseChallenge(header)
    const scopes = [...request.scopes]
    const asked = this.challenge?.params.scope
    if (asked && !scopes.includes(asked)) scopes.push(asked)
    res = await this.send({
      ...request,
      headers: await this.withAuthorization({ ...request, scopes }, true)
    })
    if (res.status === 401) {
      const error = await registryError(request.method, res)
      throw new AuthenticationError(
        this.options.registry.name,
        (await this.getCredential())?.origin,
        error.message
      )
    }
    return res
  }

  private getCredential(): Promise<Credential | undefined> {
    this.credential ??= this.options.keychain
      .resolve(this.options.registry)
      .then(credential => {
        // Every form a registry could echo back: the password, the token, the Basic header value.
        const { secret } = this.options.log
        if (credential && secret) {
          for (const value of [
            credential.password,
            credential.identityToken,
            basic(credential).slice('Basic '.length)
          ])
            if (value) secret(value)
        }
        return credential
      })
    return this.credential
  }

  private async withAuthorization(
    request: RegistryRequest,
    refresh: boolean
  ): Promise<Record<string, string>> {
    const headers = { ...request.headers }
    // Credentials go to the registry's own origin only, never to a host an upload Location names.
    if (new URL(request.url).origin !== this.origin) return headers
    const authorization = await this.authorization(request.scopes, refresh)
    if (authorization) headers.authorization = authorization
    return headers
  }

  /**
   * Learns the registry's auth scheme from `GET /v2/` once per run. A registry that cannot be
   * reached at all is given up on for the run (every later request fails at once, without a
   * retry of its own); any other failure of the ping (a 503) is tried again by the next request.
   */
  private authScheme(): Promise<Scheme> {
    this.scheme ??= this.ping().catch(error => {
      if (!(error instanceof RegistryUnreachable)) this.scheme = undefined
      throw error
    })
    return this.scheme
  }

  private async ping(): Promise<Scheme> {
    const url = `${this.options.baseUrl}/v2/`
    const { retry, log, limits } = this.options
    try {
      return await withRetries(
        async () => {
          // A registry that answers at all answers a ping fast.
          const res = await this.send({
            method: 'GET',
            url,
            limits: {
              idleMs: Math.min(limits.idleMs, 10_000),
              deadlineMs: Math.min(limits.deadlineMs, 20_000)
            }
          })
          if (res.status === 401) {
            await res.discard()
            this.challenge = parseChallenge(
              res.headers.get('www-authenticate') ?? ''
            )
            return this.challenge.scheme === 'bearer' ? 'bearer' : 'basic'
          }
          if (res.status < 300 || res.status === 404) {
            await res.discard()
            return 'none'
          }
          throw await registryError('GET', res)
        },
        // Only for failures below HTTP, and briefly: the request's own retries handle statuses.
        { ...retry, attempts: Math.min(retry.attempts, 3) },
        error => error instanceof NetworkError && error.temporary,
        loggingRetries(log)
      )
    } catch (error) {
      if (error instanceof NetworkError)
        throw new RegistryUnreachable(this.options.registry.name, error)
      throw error
    }
  }

  private async authorization(
    scopes: string[],
    refresh: boolean
  ): Promise<string | undefined> {
    const scheme =
      refresh && this.challenge
        ? this.challenge.scheme === 'bearer'
          ? 'bearer'
          : 'basic'
        : await this.authScheme()
    if (scheme === 'none' && !refresh) return undefined
    const credential = await this.getCredential()
    if (scheme === 'basic') {
      if (!credential) return undefined
      return basic(credential)
    }
    if (scheme === 'none') return undefined
    const key = [...scopes].sort().join(' ')
    // Tokens expire together; a refresh drops them all, including the key the request began with.
    if (refresh) this.tokens.clear()
    let token = this.tokens.get(key)
    if (!token) {
      // Not retried here: a failed token fails the request, which its caller's retry repeats.
      token = this.fetchToken(scopes, credential)
      this.tokens.set(key, token)
      token.catch(() => this.tokens.delete(key))
    }
    return `Bearer ${await token}`
  }

  /** Asks the realm of the registry's challenge for a token; the realm must be as secure as the registry. */
  private async fetchToken(
    scopes: string[],
    credential: Credential | undefined
  ): Promise<string> {
    const params = this.challenge?.params ?? {}
    const registry = this.options.registry.name
    if (!params.realm)
      throw new Error(
        `registry ${registry} sent a bearer challenge without a realm`
      )
    let realm: URL
    try {
      realm = new URL(params.realm)
    } catch {
      throw new Error(
        `registry ${registry} named an invalid token realm "${params.realm}"`
      )
    }
    if (
      realm.protocol !== 'https:' &&
      !(realm.protocol === 'http:' && this.origin.startsWith('http:'))
    ) {
      throw new Error(
        `registry ${registry} named a token realm over ${realm.protocol} (${realm.origin}); refusing to send credentials there`
      )
    }
    const form = new URLSearchParams()
    if (params.service) form.set('service', params.service)
    for (const scope of scopes) form.append('scope', scope)
    let res: HttpResponse
    if (credential?.identityToken) {
      form.set('grant_type', 'refresh_token')
      form.set('refresh_token', credential.identityToken)
      form.set('client_id', 'imprint')
      res = await this.send({
        method: 'POST',
        url: realm.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: () => form.toString()
      })
    } else {
      const url = new URL(realm)
      for (const [k, v] of form) url.searchParams.append(k, v)
      res = await this.send({
        method: 'GET',
        url: url.toString(),
        headers: credential ? { authorization: basic(credential) } : {}
      })
    }
    if (res.status === 401 || res.status === 403) {
      const error = await registryError('GET', res)
      throw new AuthenticationError(registry, credential?.origin, error.message)
    }
    if (res.status >= 300) throw await registryError('GET', res)
    const text = (
      await res.bytes(sizeLimits.token, 'the token answer')
    ).toString('utf8')
    let body: { token?: unknown; access_token?: unknown }
    try {
      body = JSON.parse(text) as typeof body
    } catch (error) {
      throw new Error(
        `the token service of ${registry} answered with something other than a token (${(error as Error).message})`
      )
    }
    const token = body.token ?? body.access_token
    if (typeof token !== 'string' || token === '')
      throw new Error(
        `the token service of ${registry} answered without a token`
      )
    this.options.log.secret?.(token)
    return token
  }
}

function basic(credential: Credential): string {
  return `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`
}
