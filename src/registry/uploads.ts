import type { Readable } from 'node:stream'
import type { Digest } from '../oci/digest'
import type { Repository } from '../oci/reference'
import { repositoryScope } from './auth'
import type { RegistryClient } from './client'
import {
  AuthenticationError,
  NetworkError,
  redact,
  RegistryError,
  UploadRestart
} from './errors'
import type { HttpResponse } from './http'

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

export interface UploadSizes {
  /** Blobs larger than this are uploaded in chunks (PATCH with Content-Range) that can be resumed. */
  chunkThreshold?: number
  chunkSize?: number
  /** Chunks of a blob uploaded while it is written: small, so the upload keeps up with the writer. */
  streamChunkSize?: number
}

const defaultChunkThreshold = 64 * 1024 * 1024
const defaultChunkSize = 32 * 1024 * 1024
// Above the 5 MiB minimum chunk some registries (ECR, GCR) impose on all but the last chunk.
const defaultStreamChunkSize = 8 * 1024 * 1024

/**
 * Makes sure `repo` has the blob: HEAD first, then a cross-repository mount when `mountFrom` is
 * on this registry, then an upload (monolithic, or chunked and resumable above the threshold).
 */
export async function pushBlob(
  client: RegistryClient,
  repo: Repository,
  digest: Digest,
  source: BlobSource,
  mountFrom?: Repository
): Promise<UploadOutcome> {
  const scopes = [repositoryScope(repo.path, 'pull,push')]
  if (mountFrom) scopes.push(repositoryScope(mountFrom.path, 'pull'))
  let exists: boolean
  try {
    exists = await client.blobExists(repo, digest, scopes)
  } catch (error) {
    // A token service may refuse pull on the mount source: push without mounting instead.
    if (mountFrom && error instanceof AuthenticationError)
      return pushBlob(client, repo, digest, source)
    throw error
  }
  if (exists) return 'existing'
  const threshold = client.sizes.chunkThreshold ?? defaultChunkThreshold
  return client.retrying(async () => {
    const started = await startUpload(client, repo, scopes, {
      digest,
      from: mountFrom
    })
    if (started === 'mounted') return 'mounted'
    if (source.size > threshold)
      await uploadChunks(
        client,
        started,
        {
          open: offset => source.open(offset),
          ready: async () => ({ available: source.size, digest })
        },
        scopes,
        client.sizes.chunkSize ?? defaultChunkSize
      )
    else await uploadWhole(client, started, digest, source, scopes)
    return 'uploaded'
  })
}

/**
 * Uploads a blob while it is still being written, in chunks as they become available (so the
 * upload overlaps compression), resumable like any chunked upload; the digest comes last.
 */
export async function pushGrowingBlob(
  client: RegistryClient,
  repo: Repository,
  source: ChunkSource
): Promise<{ digest: Digest; outcome: 'existing' | 'uploaded' }> {
  const scopes = [repositoryScope(repo.path, 'pull,push')]
  return client.retrying(async () => {
    const location = await startUpload(client, repo, scopes)
    // The digest is known only once the blob is complete: a blob the repository has already is
    // found then, and the rest of the upload is dropped.
    const finished = await uploadChunks(
      client,
      location,
      source,
      scopes,
      client.sizes.streamChunkSize ?? defaultStreamChunkSize,
      // Inside this operation's retry: the check is not retried on its own.
      digest => client.blobExists(repo, digest, scopes, false)
    )
    if (finished.existing) {
      await client
        .request('DELETE', location, {
          scopes,
          ok: [204, 404],
          retries: false
        })
        .then(res => res.discard())
        .catch(error =>
          client.log.debug(`upload session not cancelled: ${String(error)}`)
        )
    }
    return {
      digest: finished.digest,
      outcome: finished.existing ? 'existing' : 'uploaded'
    }
  })
}

async function startUpload(
  client: RegistryClient,
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
      const res = await client.request('POST', path + query, {
        scopes,
        ok: [201, 202],
        retries: false
      })
      await res.discard()
      if (res.status === 201) return 'mounted'
      return location(client, res)
    } catch (error) {
      // Registries answer failed mounts in many ways (Harbor: 401); an upload always works instead.
      client.log.debug(
        `mount of ${digest} from ${mountFrom} failed, uploading: ${String(error)}`
      )
    }
  }
  const res = await client.request('POST', path, {
    scopes,
    ok: [202],
    retries: false
  })
  await res.discard()
  return location(client, res)
}

async function uploadWhole(
  client: RegistryClient,
  at: string,
  digest: Digest,
  source: BlobSource,
  scopes: string[]
): Promise<void> {
  const url = new URL(at)
  url.searchParams.set('digest', digest)
  const res = await client.request('PUT', url.toString(), {
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': String(source.size)
    },
    body: () => source.open(0),
    scopes,
    ok: [201],
    retries: false,
    blob: true
  })
  await res.discard()
  checkDigest(res, digest)
}

async function uploadChunks(
  client: RegistryClient,
  at: string,
  source: ChunkSource,
  scopes: string[],
  chunkSize: number,
  present?: (digest: Digest) => Promise<boolean>
): Promise<{ digest: Digest; existing: boolean }> {
  let url = at
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
      const res = await client.request('PATCH', url, {
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(end - start + 1),
          'content-range': `${start}-${end}`
        },
        body: async () =>
          limit(await source.open(start, end - start + 1), end - start + 1),
        scopes,
        ok: [202],
        retries: false,
        blob: true
      })
      await res.discard()
      url = location(client, res)
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
      let status: HttpResponse
      try {
        status = await client.request('GET', url, {
          scopes,
          ok: [204],
          retries: false
        })
        await status.discard()
      } catch (statusError) {
        throw new UploadRestart(digest ?? 'a blob being written', statusError)
      }
      url = location(client, status)
      const range = /^(?:bytes=)?0-(\d+)$/.exec(
        status.headers.get('range') ?? ''
      )
      // distribution says `0-0` for an empty session as well as for one byte: ambiguous.
      if (!range || Number(range[1]) === 0)
        throw new UploadRestart(digest ?? 'a blob being written', error)
      offset = Number(range[1]) + 1
      client.log.info(
        `resuming upload of ${digest ?? 'a blob being written'} at byte ${offset} after: ${String(error)}`
      )
    }
  }
  const done = new URL(url)
  done.searchParams.set('digest', digest)
  let res: HttpResponse
  try {
    // An empty body, sent: the registry assembles and checks the blob now, which may take long.
    res = await client.request('PUT', done.toString(), {
      headers: { 'content-length': '0' },
      body: () => Buffer.alloc(0),
      scopes,
      ok: [201],
      retries: false,
      blob: true
    })
    await res.discard()
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
  checkDigest(res, digest)
  return { digest, existing: false }
}

/** The upload session's next URL; never a downgrade from https. */
function location(client: RegistryClient, res: HttpResponse): string {
  const value = res.headers.get('location')
  if (!value)
    throw new Error(
      `${client.registry}: upload response without a Location header`
    )
  const url = new URL(value, client.baseUrl)
  if (client.baseUrl.startsWith('https:') && url.protocol !== 'https:') {
    throw new Error(
      `${client.registry} sent an upload location over plain ${url.protocol}; refusing to downgrade from https`
    )
  }
  return url.toString()
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

/** The registry's `Docker-Content-Digest`, when it sends one, must be the digest of our bytes. */
export function checkDigest(res: HttpResponse, expected: Digest): void {
  const reported = res.headers.get('docker-content-digest')
  if (reported && reported !== expected) {
    throw new Error(
      `${redact(res.url)}: the registry stored ${reported}, but the content is ${expected}`
    )
  }
}
