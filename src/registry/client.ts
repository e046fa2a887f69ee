import { Readable } from 'node:stream'
import { isDigest, sha256, type Digest } from '../oci/digest'
import { manifestMediaTypes, MediaType } from '../oci/media-types'
import type { ImageIndex } from '../oci/types'
import type { Registry, Repository } from '../oci/reference'
import { type Logger, silentLogger } from '../util/log'
import {
  parseChallenge,
  repositoryScope,
  type Challenge,
  type Credential,
  type Keychain
} from './auth'
import {
  NetworkError,
  RegistryError,
  registryError,
  UploadRestart
} from './errors'
import { defaultRetryPolicy, withRetries, type RetryPolicy } from './retry'

/** A blob body that can be opened again from any offset, so uploads can be retried and resumed. */
export interface BlobSource {
  size: number
  open(offset: number): Promise<Readable | AsyncIterable<Uint8Array>>
}

/**
 * Where chunks come from: a finished blob, or a file still being written that an upload follows.
 * `ready` resolves once `want` bytes exist or the blob is complete (then with its digest).
 */
export interface ChunkSource {
  /** Reads from `offset`; `length` says how much will be read, so a source need not read ahead. */
  open(
    offset: number,
    length?: number
  ): Promise<Readable | AsyncIterable<Uint8Array>>
  ready(want: number): Promise<{ available: number; digest?: Digest }>
}

export type UploadOutcome = 'existing' | 'mounted' | 'uploaded'

export interface ClientOptions {
  keychain: Keychain
  insecureRegistries?: string[]
  retry?: RetryPolicy
  log?: Logger
  userAgent?: string
  /** Blobs larger than this are uploaded in chunks (PATCH with Content-Range) that can be resumed. */
  chunkThreshold?: number
  chunkSize?: number
  /** Chunks of a blob uploaded while it is written: small, so the upload keeps up with the writer. */
  streamChunkSize?: number
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

interface RequestOptions {
  headers?: Record<string, string>
  body?: () => Promise<unknown> | unknown
  scopes: string[]
  ok: number[]
  retries?: boolean
}

type AuthScheme = 'none' | 'basic' | 'bearer'

/**
 * A client for one registry's distribution API, modelled on go-containerregistry's `remote` and
 * `transport`: it learns the auth scheme from `/v2/`, fetches bearer tokens per scope, retries
 * temporary failures with backoff, and checks every digest the registry reports.
 */
export class RegistryClient {
  private readonly baseUrl: string
  private readonly origin: string
  private readonly retry: RetryPolicy
  private readonly log: Logger
  private readonly chunkThreshold: number
  private readonly chunkSize: number
  private readonly streamChunkSize: number
  private scheme: Promise<AuthScheme> | undefined
  private challenge: Challenge | undefined
  private credential: Promise<Credential | undefined> | undefined
  private readonly tokens = new Map<string, Promise<string>>()

  constructor(
    readonly registry: Registry,
    private readonly options: ClientOptions
  ) {
    const insecure =
      registry.isLoopback ||
      (options.insecureRegistries ?? []).includes(registry.name)
    this.baseUrl = `${insecure ? 'http' : 'https'}://${registry.apiHost}`
    this.origin = new URL(this.baseUrl).origin
    this.retry = options.retry ?? defaultRetryPolicy
    this.log = options.log ?? silentLogger
    this.chunkThreshold = options.chunkThreshold ?? 64 * 1024 * 1024
    this.chunkSize = options.chunkSize ?? 32 * 1024 * 1024
    // Above the 5 MiB minimum chunk some registries (ECR, GCR) impose on all but the last chunk.
    this.streamChunkSize = options.streamChunkSize ?? 8 * 1024 * 1024
  }

  // ---- blobs ---------------------------------------------------------------------------------

  async blobExists(
    repo: Repository,
    digest: Digest,
    scopes = [repositoryScope(repo.path, 'pull')]
  ): Promise<boolean> {
    const res = await this.request('HEAD', `/v2/${repo.path}/blobs/${digest}`, {
      scopes,
      ok: [200, 404]
    })
    return res.status === 200
  }

  /**
   * Streams a blob from `offset` on; the caller consumes or cancels the body. A registry that
   * ignores `Range` answers 200 with the whole blob, and the skipped bytes are dropped here.
   */
  async getBlob(
    repo: Repository,
    digest: Digest,
    offset = 0,
    retries = true
  ): Promise<AsyncIterable<Uint8Array>> {
    const res = await this.request('GET', `/v2/${repo.path}/blobs/${digest}`, {
      headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
      scopes: [repositoryScope(repo.path, 'pull')],
      ok: offset > 0 ? [200, 206] : [200],
      retries
    })
    const body = Readable.fromWeb(
      res.body as never
    ) as AsyncIterable<Uint8Array>
    return offset > 0 && res.status === 200 ? skip(body, offset) : body
  }

  /** Reads a small blob (a config) whole and checks its digest. */
  async getBlobBytes(repo: Repository, digest: Digest): Promise<Buffer> {
    return withRetries(
      async () => {
        const bytes = await readAll(await this.getBlob(repo, digest, 0, false))
        if (sha256(bytes) !== digest) {
          throw new Error(
            `blob ${digest} from ${repo} does not match its digest`
          )
        }
        return bytes
      },
      this.retry,
      (e, ms) => this.retrying(e, ms)
    )
  }

  /**
   * Makes sure `repo` has the blob: HEAD first, then a cross-repository mount when `mountFrom` is
   * on this registry, then an upload (monolithic, or chunked and resumable above the threshold).
   */
  async pushBlob(
    repo: Repository,
    digest: Digest,
    source: BlobSource,
    mountFrom?: Repository
  ): Promise<UploadOutcome> {
    const scopes = [repositoryScope(repo.path, 'pull,push')]
    if (mountFrom) scopes.push(repositoryScope(mountFrom.path, 'pull'))
    let exists: boolean
    try {
      exists = await this.blobExists(repo, digest, scopes)
    } catch (error) {
      // A token service may refuse pull on the mount source: push without mounting instead.
      if (mountFrom && error instanceof AuthenticationError) {
        return this.pushBlob(repo, digest, source)
      }
      throw error
    }
    if (exists) return 'existing'
    return withRetries(
      async () => {
        const started = await this.startUpload(repo, scopes, {
          digest,
          from: mountFrom
        })
        if (started === 'mounted') return 'mounted'
        if (source.size > this.chunkThreshold)
          await this.uploadChunks(
            started,
            {
              open: offset => source.open(offset),
              ready: async () => ({ available: source.size, digest })
            },
            scopes,
            this.chunkSize
          )
        else await this.uploadWhole(started, digest, source, scopes)
        return 'uploaded'
      },
      this.retry,
      (e, ms) => this.retrying(e, ms)
    )
  }

  /**
   * Uploads a blob while it is still being written, in chunks as they become available (so the
   * upload overlaps compression), resumable like any chunked upload; the digest comes last.
   */
  async pushGrowingBlob(
    repo: Repository,
    source: ChunkSource
  ): Promise<{ digest: Digest; outcome: 'existing' | 'uploaded' }> {
    const scopes = [repositoryScope(repo.path, 'pull,push')]
    return withRetries(
      async () => {
        const location = await this.startUpload(repo, scopes)
        // The digest is known only once the blob is complete: a blob the repository has already
        // is found then, and the rest of the upload is dropped.
        const finished = await this.uploadChunks(
          location,
          source,
          scopes,
          this.streamChunkSize,
          digest => this.blobExists(repo, digest, scopes)
        )
        if (finished.existing) {
          await this.request('DELETE', location, {
            scopes,
            ok: [204, 404],
            retries: false
          }).catch(error =>
            this.log.debug(`upload session not cancelled: ${String(error)}`)
          )
        }
        return {
          digest: finished.digest,
          outcome: finished.existing ? 'existing' : 'uploaded'
        }
      },
      this.retry,
      (e, ms) => this.retrying(e, ms)
    )
  }

  private async startUpload(
    repo: Repository,
    scopes: string[],
    mount?: { digest: Digest; from?: Repository }
  ): Promise<string> {
    const path = `/v2/${repo.path}/blobs/uploads/`
    const mountFrom = mount?.from
    if (mount && mountFrom && !mountFrom.equals(repo)) {
      const digest = mount.digest
      try {
        const query = `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(mountFrom.path)}`
        const res = await this.request('POST', path + query, {
          scopes,
          ok: [201, 202],
          retries: false
        })
        if (res.status === 201) return 'mounted'
        return this.location(res)
      } catch (error) {
        // Registries answer failed mounts in many ways (Harbor: 401); an upload always works instead.
        this.log.debug(
          `mount of ${digest} from ${mountFrom} failed, uploading: ${String(error)}`
        )
      }
    }
    const res = await this.request('POST', path, {
      scopes,
      ok: [202],
      retries: false
    })
    return this.location(res)
  }

  private async uploadWhole(
    location: string,
    digest: Digest,
    source: BlobSource,
    scopes: string[]
  ): Promise<void> {
    const url = new URL(location)
    url.searchParams.set('digest', digest)
    const res = await this.request('PUT', url.toString(), {
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(source.size)
      },
      body: () => source.open(0),
      scopes,
      ok: [201],
      retries: false
    })
    this.checkDigest('PUT', url.toString(), res, digest)
  }

  private async uploadChunks(
    location: string,
    source: ChunkSource,
    scopes: string[],
    chunkSize: number,
    present?: (digest: Digest) => Promise<boolean>
  ): Promise<{ digest: Digest; existing: boolean }> {
    let offset = 0
    let resumes = 0
    let digest: Digest | undefined
    let checked = false
    for (;;) {
      const ready = await source.ready(offset + chunkSize)
      digest = ready.digest
      if (digest && present && !checked) {
        checked = true
        if (await present(digest)) return { digest, existing: true }
      }
      if (offset >= ready.available) {
        if (digest) break
        continue
      }
      const end = Math.min(offset + chunkSize, ready.available) - 1
      const start = offset
      try {
        const res = await this.request('PATCH', location, {
          headers: {
            'content-type': 'application/octet-stream',
            'content-length': String(end - start + 1),
            'content-range': `${start}-${end}`
          },
          body: async () =>
            limit(await source.open(start, end - start + 1), end - start + 1),
          scopes,
          ok: [202],
          retries: false
        })
        location = this.location(res)
        offset = end + 1
      } catch (error) {
        if (
          !(
            error instanceof NetworkError ||
            (error instanceof RegistryError && error.temporary)
          ) ||
          resumes >= 3
        ) {
          throw error
        }
        resumes++
        // Ask the registry how much it kept; anything but a clear answer restarts from POST.
        let status: Response
        try {
          status = await this.request('GET', location, {
            scopes,
            ok: [204],
            retries: false
          })
        } catch (statusError) {
          throw new UploadRestart(digest ?? 'a blob being written', statusError)
        }
        location = this.location(status)
        const range = /^(?:bytes=)?0-(\d+)$/.exec(
          status.headers.get('range') ?? ''
        )
        // distribution says `0-0` for an empty session as well as for one byte: ambiguous.
        if (!range || Number(range[1]) === 0)
          throw new UploadRestart(digest ?? 'a blob being written', error)
        offset = Number(range[1]) + 1
        this.log.info(
          `resuming upload of ${digest ?? 'a blob being written'} at byte ${offset} after: ${String(error)}`
        )
      }
    }
    const url = new URL(location)
    url.searchParams.set('digest', digest)
    let res: Response
    try {
      res = await this.request('PUT', url.toString(), {
        headers: { 'content-length': '0' },
        scopes,
        ok: [201],
        retries: false
      })
    } catch (error) {
      // Chunks the registry assembled differently from ours: start over rather than give up.
      if (
        error instanceof RegistryError &&
        (error.status === 416 || error.codes.includes('DIGEST_INVALID'))
      ) {
        throw new UploadRestart(digest, error)
      }
      throw error
    }
    this.checkDigest('PUT', url.toString(), res, digest)
    return { digest, existing: false }
  }

  // ---- manifests -----------------------------------------------------------------------------

  /** Reads a manifest or index by tag or digest; the digest is computed over the exact bytes. */
  async getManifest(
    repo: Repository,
    reference: string
  ): Promise<{ bytes: Buffer; mediaType: string; digest: Digest }> {
    return withRetries(
      async () => {
        const url = `/v2/${repo.path}/manifests/${reference}`
        const res = await this.request('GET', url, {
          headers: { accept: manifestMediaTypes.join(', ') },
          scopes: [repositoryScope(repo.path, 'pull')],
          ok: [200],
          retries: false
        })
        const bytes = await readBody('GET', res)
        const digest = sha256(bytes)
        if (isDigest(reference) && digest !== reference) {
          throw new Error(
            `manifest ${repo}@${reference} does not match its digest (got ${digest})`
          )
        }
        const parsed = JSON.parse(bytes.toString('utf8')) as {
          mediaType?: string
        }
        const mediaType =
          parsed.mediaType ??
          res.headers.get('content-type')?.split(';')[0] ??
          ''
        return { bytes, mediaType, digest }
      },
      this.retry,
      (e, ms) => this.retrying(e, ms)
    )
  }

  /** The digest a tag points at, or undefined when the tag does not exist. */
  async resolveTag(
    repo: Repository,
    tag: string,
    scopes = [repositoryScope(repo.path, 'pull')]
  ): Promise<Digest | undefined> {
    const res = await this.request(
      'HEAD',
      `/v2/${repo.path}/manifests/${tag}`,
      {
        headers: { accept: manifestMediaTypes.join(', ') },
        scopes,
        ok: [200, 404]
      }
    )
    if (res.status === 404) return undefined
    const header = res.headers.get('docker-content-digest')
    if (header && isDigest(header)) return header
    return (await this.getManifest(repo, tag)).digest
  }

  /**
   * Writes a manifest under a tag or its digest. `subject` is the registry's `OCI-Subject`
   * answer: set when it indexed the manifest's subject (it has the referrers API).
   */
  async putManifest(
    repo: Repository,
    reference: string,
    bytes: Buffer,
    mediaType: string
  ): Promise<{ digest: Digest; subject?: string }> {
    const digest = sha256(bytes)
    const url = `/v2/${repo.path}/manifests/${reference}`
    const res = await this.request('PUT', url, {
      headers: { 'content-type': mediaType },
      body: () => bytes,
      scopes: [repositoryScope(repo.path, 'pull,push')],
      ok: [201, 200]
    })
    this.checkDigest('PUT', url, res, digest)
    return { digest, subject: res.headers.get('oci-subject') ?? undefined }
  }

  /** Like `getManifest`, but a missing manifest (or repository) is `undefined`. */
  async findManifest(
    repo: Repository,
    reference: string
  ): Promise<{ bytes: Buffer; mediaType: string; digest: Digest } | undefined> {
    try {
      return await this.getManifest(repo, reference)
    } catch (error) {
      if (error instanceof RegistryError && error.status === 404)
        return undefined
      throw error
    }
  }

  /**
   * The referrers of a digest from the OCI 1.1 referrers API, or `undefined` when the registry
   * does not offer the API (then clients keep the `sha256-<hex>` fallback index instead).
   */
  async referrers(
    repo: Repository,
    digest: Digest
  ): Promise<ImageIndex | undefined> {
    const res = await this.request(
      'GET',
      `/v2/${repo.path}/referrers/${digest}`,
      {
        headers: { accept: MediaType.ociIndex },
        scopes: [repositoryScope(repo.path, 'pull')],
        ok: [200, 400, 404, 405]
      }
    )
    const body = await readBody('GET', res)
    if (res.status !== 200) return undefined
    const index = JSON.parse(body.toString('utf8')) as ImageIndex
    return index.mediaType === MediaType.ociIndex ||
      Array.isArray(index.manifests)
      ? index
      : undefined
  }

  // ---- transport -----------------------------------------------------------------------------

  private checkDigest(
    method: string,
    url: string,
    res: Response,
    expected: Digest
  ): void {
    const reported = res.headers.get('docker-content-digest')
    if (reported && reported !== expected) {
      throw new Error(
        `${method} ${url}: the registry stored ${reported}, but the content is ${expected}`
      )
    }
  }

  private location(res: Response): string {
    const location = res.headers.get('location')
    if (!location)
      throw new Error(
        `${this.registry}: upload response without a Location header`
      )
    const url = new URL(location, this.baseUrl)
    if (this.baseUrl.startsWith('https:') && url.protocol !== 'https:') {
      throw new Error(
        `${this.registry} sent an upload location over plain ${url.protocol}; refusing to downgrade from https`
      )
    }
    return url.toString()
  }

  private retrying(error: unknown, delayMs: number): void {
    this.log.info(
      `${error instanceof Error ? error.message : String(error)}; retrying in ${(delayMs / 1000).toFixed(1)}s`
    )
  }

  /** Sends one request with auth, retrying temporary failures unless `retries` is false. */
  async request(
    method: string,
    pathOrUrl: string,
    options: RequestOptions
  ): Promise<Response> {
    const url = pathOrUrl.startsWith('/') ? this.baseUrl + pathOrUrl : pathOrUrl
    const send = async (): Promise<Response> => {
      let res = await this.send(
        method,
        url,
        options,
        await this.authorization(options.scopes, false)
      )
      if (res.status === 401) {
        const header = res.headers.get('www-authenticate')
        await res.body?.cancel().catch(() => {})
        if (header) this.challenge = parseChallenge(header)
        const scopes = [...options.scopes]
        const challengeScope = this.challenge?.params.scope
        if (challengeScope && !scopes.includes(challengeScope))
          scopes.push(challengeScope)
        res = await this.send(
          method,
          url,
          options,
          await this.authorization(scopes, true)
        )
        if (res.status === 401) {
          const error = await registryError(method, url, res)
          throw new AuthenticationError(
            this.registry.name,
            (await this.getCredential())?.origin,
            error.message
          )
        }
      }
      if (!options.ok.includes(res.status))
        throw await registryError(method, url, res)
      return res
    }
    return options.retries === false
      ? send()
      : withRetries(send, this.retry, (e, ms) => this.retrying(e, ms))
  }

  private async send(
    method: string,
    url: string,
    options: RequestOptions,
    authorization: string | undefined
  ): Promise<Response> {
    const headers: Record<string, string> = {
      'user-agent': this.options.userAgent ?? 'imprint',
      ...options.headers
    }
    // Credentials go to the registry's own origin only, never to a host an upload Location names.
    if (authorization && new URL(url).origin === this.origin) {
      headers.authorization = authorization
    }
    const body = options.body ? await options.body() : undefined
    const streamed =
      body !== undefined && !Buffer.isBuffer(body) && typeof body !== 'string'
    try {
      return await fetch(url, {
        method,
        headers,
        body: body as never,
        // A streamed body cannot be replayed on a 307/308; reads follow redirects (storage URLs).
        redirect: body === undefined ? 'follow' : 'manual',
        ...(streamed ? { duplex: 'half' } : {})
      } as RequestInit)
    } catch (error) {
      throw new NetworkError(method, url, error)
    }
  }

  private getCredential(): Promise<Credential | undefined> {
    this.credential ??= this.options.keychain.resolve(this.registry)
    return this.credential
  }

  /** Learns the registry's auth scheme from `GET /v2/` once. */
  private async authScheme(): Promise<AuthScheme> {
    this.scheme ??= withRetries(
      async () => {
        let res: Response
        try {
          res = await fetch(`${this.baseUrl}/v2/`, {
            headers: { 'user-agent': this.options.userAgent ?? 'imprint' }
          })
        } catch (error) {
          throw new NetworkError('GET', `${this.baseUrl}/v2/`, error)
        }
        await res.body?.cancel().catch(() => {})
        if (res.status === 401) {
          const header = res.headers.get('www-authenticate') ?? ''
          this.challenge = parseChallenge(header)
          return this.challenge.scheme === 'bearer' ? 'bearer' : 'basic'
        }
        if (res.ok || res.status === 404) return 'none'
        throw await registryError('GET', `${this.baseUrl}/v2/`, res)
      },
      this.retry,
      (e, ms) => this.retrying(e, ms)
    ).catch(error => {
      this.scheme = undefined
      throw error
    })
    return this.scheme
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
    const credential = await this.getCredential()
    if (scheme === 'none' && !refresh) return undefined
    if (scheme === 'basic') {
      if (!credential) return undefined
      return `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`
    }
    if (scheme === 'none') return undefined
    const key = [...scopes].sort().join(' ')
    // Tokens expire together; a refresh drops them all, including the key the request began with.
    if (refresh) this.tokens.clear()
    let token = this.tokens.get(key)
    if (!token) {
      token = this.fetchToken(scopes, credential)
      this.tokens.set(key, token)
      token.catch(() => this.tokens.delete(key))
    }
    return `Bearer ${await token}`
  }

  private async fetchToken(
    scopes: string[],
    credential: Credential | undefined
  ): Promise<string> {
    const params = this.challenge?.params ?? {}
    if (!params.realm)
      throw new Error(
        `registry ${this.registry} sent a bearer challenge without a realm`
      )
    const realm = new URL(params.realm)
    const form = new URLSearchParams()
    if (params.service) form.set('service', params.service)
    for (const scope of scopes) form.append('scope', scope)
    return withRetries(
      async () => {
        let res: Response
        try {
          if (credential?.identityToken) {
            form.set('grant_type', 'refresh_token')
            form.set('refresh_token', credential.identityToken)
            form.set('client_id', 'imprint')
            res = await fetch(realm, {
              method: 'POST',
              body: form,
              headers: { 'content-type': 'application/x-www-form-urlencoded' }
            })
          } else {
            const url = new URL(realm)
            for (const [k, v] of form) url.searchParams.append(k, v)
            const headers: Record<string, string> = {
              'user-agent': this.options.userAgent ?? 'imprint'
            }
            if (credential) {
              headers.authorization = `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`
            }
            res = await fetch(url, { headers })
          }
        } catch (error) {
          throw new NetworkError('GET', realm.toString(), error)
        }
        if (res.status === 401 || res.status === 403) {
          const error = await registryError('GET', realm.toString(), res)
          throw new AuthenticationError(
            this.registry.name,
            credential?.origin,
            error.message
          )
        }
        if (!res.ok) throw await registryError('GET', realm.toString(), res)
        const body = (await res.json()) as {
          token?: string
          access_token?: string
        }
        const token = body.token ?? body.access_token
        if (!token)
          throw new Error(
            `the token service of ${this.registry} answered without a token`
          )
        return token
      },
      this.retry,
      (e, ms) => this.retrying(e, ms)
    )
  }
}

async function readBody(method: string, res: Response): Promise<Buffer> {
  try {
    return Buffer.from(await res.arrayBuffer())
  } catch (error) {
    throw new NetworkError(method, res.url, error)
  }
}

async function* limit(
  source: Readable | AsyncIterable<Uint8Array>,
  bytes: number
): AsyncGenerator<Uint8Array> {
  let remaining = bytes
  for await (const chunk of source as AsyncIterable<Uint8Array>) {
    if (remaining <= 0) break
    const piece =
      chunk.length > remaining ? chunk.subarray(0, remaining) : chunk
    remaining -= piece.length
    yield piece
  }
}

async function readAll(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = []
  try {
    for await (const chunk of source) chunks.push(chunk)
  } catch (error) {
    throw new NetworkError('GET', 'blob body', error)
  }
  return Buffer.concat(chunks)
}

async function* skip(
  source: AsyncIterable<Uint8Array>,
  bytes: number
): AsyncGenerator<Uint8Array> {
  let toSkip = bytes
  for await (const chunk of source) {
    if (toSkip >= chunk.length) {
      toSkip -= chunk.length
      continue
    }
    yield toSkip > 0 ? chunk.subarray(toSkip) : chunk
    toSkip = 0
  }
}
