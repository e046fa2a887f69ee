import { isDigest, sha256, type Digest } from '../oci/digest'
import { manifestMediaTypes, MediaType } from '../oci/media-types'
import type { Registry, Repository } from '../oci/reference'
import type { ImageIndex } from '../oci/types'
import { silentLogger, type Logger } from '../util/log'
import {
  defaultRetryPolicy,
  loggingRetries,
  withRetries,
  type RetryPolicy
} from '../util/retry'
import { repositoryScope } from './auth'
import { RegistryError, retryableFailures } from './errors'
import { sizeLimits, type HttpResponse } from './http'
import {
  registryTransport,
  type RegistryRequest,
  type Transport,
  type TransportOptions
} from './transport'
import {
  checkDigest,
  pushBlob,
  pushGrowingBlob,
  type BlobSource,
  type ChunkSource,
  type UploadOutcome,
  type UploadSizes
} from './uploads'

export type { BlobSource, ChunkSource, UploadOutcome } from './uploads'

export type ClientOptions = TransportOptions & UploadSizes

export interface ManifestFound {
  bytes: Buffer
  mediaType: string
  digest: Digest
}

/**
 * What Imprint does with one registry's distribution API, over a transport that handles auth,
 * retries and bounds: read blobs, manifests, tags and referrers, write manifests, and push blobs
 * (`uploads.ts`). Every digest the registry reports is checked against ours.
 */
export class RegistryClient {
  readonly baseUrl: string
  readonly log: Logger
  /** How blobs are cut into chunks: for `uploads.ts`. */
  readonly sizes: UploadSizes
  private readonly retry: RetryPolicy
  private readonly transport: Transport

  constructor(
    readonly registry: Registry,
    options: ClientOptions
  ) {
    ;({ baseUrl: this.baseUrl, transport: this.transport } = registryTransport(
      registry,
      options
    ))
    this.retry = options.retry ?? defaultRetryPolicy
    this.log = options.log ?? silentLogger
    this.sizes = {
      chunkThreshold: options.chunkThreshold,
      chunkSize: options.chunkSize,
      streamChunkSize: options.streamChunkSize
    }
  }

  /** Sends one request to a path of this registry or a URL it gave (an upload location). */
  request(
    method: string,
    pathOrUrl: string,
    options: Omit<RegistryRequest, 'method' | 'url'>
  ): Promise<HttpResponse> {
    const url = pathOrUrl.startsWith('/') ? this.baseUrl + pathOrUrl : pathOrUrl
    return this.transport({ method, url, ...options })
  }

  /** Retries an operation of several requests (a read with its body) as a whole. */
  retrying<T>(operation: () => Promise<T>): Promise<T> {
    return withRetries(
      operation,
      this.retry,
      retryableFailures(),
      loggingRetries(this.log)
    )
  }

  // ---- blobs ---------------------------------------------------------------------------------

  async blobExists(
    repo: Repository,
    digest: Digest,
    scopes = [repositoryScope(repo.path, 'pull')],
    retries = true
  ): Promise<boolean> {
    const res = await this.request('HEAD', `/v2/${repo.path}/blobs/${digest}`, {
      scopes,
      ok: [200, 404],
      retries
    })
    return res.status === 200
  }

  /**
   * Streams a blob from `offset` on; the caller consumes the body. A registry that ignores
   * `Range` answers 200 with the whole blob, and the skipped bytes are dropped here. With `lent`,
   * each chunk is valid only until the next is asked for (see `HttpRequest.lent`).
   */
  async getBlob(
    repo: Repository,
    digest: Digest,
    options: { offset?: number; retries?: boolean; lent?: boolean } = {}
  ): Promise<AsyncIterable<Uint8Array>> {
    const { offset = 0, retries = true, lent = false } = options
    const res = await this.request('GET', `/v2/${repo.path}/blobs/${digest}`, {
      headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
      scopes: [repositoryScope(repo.path, 'pull')],
      ok: offset > 0 ? [200, 206] : [200],
      retries,
      blob: true,
      lent
    })
    const body = res.stream()
    return offset > 0 && res.status === 200 ? skip(body, offset) : body
  }

  /**
   * Reads a small blob (a config, a signature payload) whole and checks its digest. `limit` is
   * the most it may hold (`sizeLimits.smallBlob`; `sizeLimits.attestation` for attestations).
   */
  async getBlobBytes(
    repo: Repository,
    digest: Digest,
    limit: number = sizeLimits.smallBlob
  ): Promise<Buffer> {
    return this.retrying(async () => {
      const res = await this.request(
        'GET',
        `/v2/${repo.path}/blobs/${digest}`,
        {
          scopes: [repositoryScope(repo.path, 'pull')],
          ok: [200],
          retries: false,
          // Larger than a small blob: bounded by the idle limit, like a layer, not the deadline.
          ...(limit > sizeLimits.smallBlob ? { blob: true } : {})
        }
      )
      const bytes = await res.bytes(limit, `blob ${digest}`)
      if (sha256(bytes) !== digest) {
        throw new Error(`blob ${digest} from ${repo} does not match its digest`)
      }
      return bytes
    })
  }

  pushBlob(
    repo: Repository,
    digest: Digest,
    source: BlobSource,
    mountFrom?: Repository
  ): Promise<UploadOutcome> {
    return pushBlob(this, repo, digest, source, mountFrom)
  }

  pushGrowingBlob(
    repo: Repository,
    source: ChunkSource
  ): Promise<{ digest: Digest; outcome: 'existing' | 'uploaded' }> {
    return pushGrowingBlob(this, repo, source)
  }

  // ---- manifests -----------------------------------------------------------------------------

  /** Reads a manifest or index by tag or digest; the digest is computed over the exact bytes. */
  async getManifest(
    repo: Repository,
    reference: string
  ): Promise<ManifestFound> {
    return this.retrying(async () => {
      const res = await this.request(
        'GET',
        `/v2/${repo.path}/manifests/${reference}`,
        {
          headers: { accept: manifestMediaTypes.join(', ') },
          scopes: [repositoryScope(repo.path, 'pull')],
          ok: [200],
          retries: false
        }
      )
      const bytes = await res.bytes(
        sizeLimits.manifest,
        `manifest ${repo}:${reference}`
      )
      const digest = sha256(bytes)
      if (isDigest(reference) && digest !== reference) {
        throw new Error(
          `manifest ${repo}@${reference} does not match its digest (got ${digest})`
        )
      }
      let parsed: { mediaType?: unknown }
      try {
        parsed = JSON.parse(bytes.toString('utf8')) as typeof parsed
      } catch {
        throw new Error(`manifest ${repo}:${reference} is not JSON`)
      }
      const mediaType =
        (typeof parsed.mediaType === 'string' ? parsed.mediaType : undefined) ??
        res.headers.get('content-type')?.split(';')[0] ??
        ''
      return { bytes, mediaType, digest }
    })
  }

  /** Like `getManifest`, but a missing manifest (or repository) is `undefined`. */
  async findManifest(
    repo: Repository,
    reference: string
  ): Promise<ManifestFound | undefined> {
    try {
      return await this.getManifest(repo, reference)
    } catch (error) {
      if (error instanceof RegistryError && error.status === 404)
        return undefined
      throw error
    }
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
    const res = await this.request(
      'PUT',
      `/v2/${repo.path}/manifests/${reference}`,
      {
        headers: { 'content-type': mediaType },
        body: () => bytes,
        scopes: [repositoryScope(repo.path, 'pull,push')],
        ok: [201, 200]
      }
    )
    await res.discard()
    checkDigest(res, digest)
    return { digest, subject: res.headers.get('oci-subject') ?? undefined }
  }

  /**
   * The referrers of a digest from the OCI 1.1 referrers API, or `undefined` when the registry
   * does not offer the API (then clients keep the `sha256-<hex>` fallback index instead).
   */
  async referrers(
    repo: Repository,
    digest: Digest
  ): Promise<ImageIndex | undefined> {
    return this.retrying(async () => {
      const res = await this.request(
        'GET',
        `/v2/${repo.path}/referrers/${digest}`,
        {
          headers: { accept: MediaType.ociIndex },
          scopes: [repositoryScope(repo.path, 'pull')],
          ok: [200, 400, 404, 405],
          retries: false
        }
      )
      if (res.status !== 200) {
        await res.discard()
        return undefined
      }
      const body = await res.bytes(
        sizeLimits.manifest,
        `referrers of ${digest}`
      )
      let index: ImageIndex
      try {
        index = JSON.parse(body.toString('utf8')) as ImageIndex
      } catch {
        throw new Error(
          `the referrers of ${repo}@${digest} are not JSON; the registry's referrers API is broken`
        )
      }
      return index.mediaType === MediaType.ociIndex ||
        Array.isArray(index.manifests)
        ? index
        : undefined
    })
  }
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
