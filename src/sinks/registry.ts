import type { Digest } from '../oci/digest'
import { topLevel, uniqueBlobs, type Artifact, type Blob } from '../oci/image'
import type { Repository } from '../oci/reference'
import type { GrowingFile } from '../layer/growing-file'
import type { BlobObserver } from '../layer/observer'
import type { RegistryClient, UploadOutcome } from '../registry/client'
import { repositoryScope } from '../registry/auth'
import type { Logger } from '../util/log'
import { limiter, mapBounded } from '../util/pool'

/** A tag that points at another image, and overwriting was not allowed. */
export class TagConflictError extends Error {
  constructor(
    readonly reference: string,
    readonly existing: Digest,
    readonly wanted: Digest,
    /** How the two images differ, and what to do about it. */
    detail: string
  ) {
    super(
      `${reference} already points at ${existing}, not at this run's image ${wanted}: ${detail}. Tags are immutable; allow-tag-overwrite: true moves it`
    )
    this.name = 'TagConflictError'
  }
}

export interface TagPlan {
  tag: string
  existing?: Digest
}

export interface BlobOutcome {
  digest: Digest
  size: number
  outcome: UploadOutcome
}

export interface PushReport {
  blobs: BlobOutcome[]
  uploadedBytes: number
  reusedBytes: number
  tags: { tag: string; outcome: 'created' | 'unchanged' | 'overwritten' }[]
}

/** Looks up every tag before anything is written (the caller decides what a conflict means). */
export async function planTags(
  client: RegistryClient,
  repo: Repository,
  tags: readonly string[]
): Promise<TagPlan[]> {
  const scopes = [repositoryScope(repo.path, 'pull,push')]
  return Promise.all(
    tags.map(async tag => ({
      tag,
      existing: await client.resolveTag(repo, tag, scopes)
    }))
  )
}

/** Makes sure `repo` has one blob: HEAD, a mount from its origin on this registry, or an upload. */
async function pushOne(
  client: RegistryClient,
  repo: Repository,
  blob: Blob,
  /** Where blobs without an origin of their own are (another repository this run pushed to). */
  pushedTo?: Repository
): Promise<BlobOutcome> {
  const { digest, size } = blob.descriptor
  const origin = blob.origin ?? pushedTo
  const mountFrom =
    origin && origin.registry.name === repo.registry.name ? origin : undefined
  const outcome = await client.pushBlob(
    repo,
    digest,
    { size, open: offset => blob.open(offset) },
    mountFrom
  )
  return { digest, size, outcome }
}

/**
 * Blobs sent while the build is still running — base layers once the base is resolved, each new
 * layer once it is written — so uploads overlap compression. Only a head start: the push stage
 * takes what finished here and meets (and reports) any failure itself.
 */
export class EarlyUploads implements BlobObserver {
  private readonly started = new Map<Digest, Promise<BlobOutcome | undefined>>()
  private readonly slot: <T>(fn: () => Promise<T>) => Promise<T>
  private cancelled = false
  private readonly following: Promise<unknown>[] = []
  private readonly followed: GrowingFile[] = []

  constructor(
    private readonly client: RegistryClient,
    private readonly repo: Repository,
    jobs: number,
    private readonly log: Logger
  ) {
    this.slot = limiter(jobs)
  }

  /** Starts an upload of a blob that exists now (in an upload slot). */
  blob(blob: Blob): void {
    const { digest } = blob.descriptor
    if (this.started.has(digest)) return
    this.started.set(
      digest,
      this.slot(async () =>
        this.cancelled ? undefined : pushOne(this.client, this.repo, blob)
      ).then(
        outcome => {
          if (outcome)
            this.log.debug(`${digest}: ${outcome.outcome} during the build`)
          return outcome
        },
        error => {
          this.log.debug(
            `${digest}: early upload failed, left for the push: ${(error as Error).message}`
          )
          return undefined
        }
      )
    )
  }

  /**
   * Uploads a layer while it is being written: chunks go out as the compressor produces them.
   * Its digest is known only at the end, so it is found under it once complete. It takes no
   * upload slot: it mostly waits for the compressor, and layers are written a few at a time.
   */
  growing(file: GrowingFile, name: string): void {
    if (this.cancelled) return
    this.followed.push(file)
    const upload = (async () => {
      try {
        const { digest, outcome } = await this.client.pushGrowingBlob(
          this.repo,
          file
        )
        const { available: size } = await file.ready(0)
        this.log.debug(`${digest}: ${outcome} while it was written (${name})`)
        this.started.set(digest, Promise.resolve({ digest, size, outcome }))
      } catch (error) {
        this.log.debug(
          `${name}: upload while writing failed, left for the push: ${(error as Error).message}`
        )
      }
    })()
    this.following.push(upload)
  }

  async outcome(digest: Digest): Promise<BlobOutcome | undefined> {
    if (!this.started.has(digest)) await Promise.all(this.following)
    return this.started.get(digest)
  }

  /** The build failed: uploads not yet begun are dropped, and those following a file stop. */
  cancel(): void {
    this.cancelled = true
    for (const file of this.followed) file.fail(new Error('the build failed'))
  }

  /** Waits for every started upload: their files must outlive them. */
  async settled(): Promise<void> {
    await Promise.all([...this.following, ...this.started.values()])
  }
}

/**
 * Pushes an artifact like go-containerregistry's `remote.Write`: blobs first (HEAD, mount, upload;
 * in parallel), then child manifests by digest, then the top-level manifest under each tag.
 * A run whose tags all point at this digest already uploads nothing.
 */
export async function pushArtifact(
  client: RegistryClient,
  repo: Repository,
  artifact: Artifact,
  plans: readonly TagPlan[],
  options: {
    jobs: number
    log: Logger
    early?: EarlyUploads
    /** A repository on the same registry that has every blob already: mounted from. */
    pushedTo?: Repository
  }
): Promise<PushReport> {
  const top = topLevel(artifact)
  if (plans.length > 0 && plans.every(p => p.existing === top.digest)) {
    options.log.info(
      `every tag already points at ${top.digest}; nothing to upload`
    )
    return {
      blobs: [],
      uploadedBytes: 0,
      reusedBytes: 0,
      tags: plans.map(p => ({ tag: p.tag, outcome: 'unchanged' }))
    }
  }

  const blobs = uniqueBlobs(artifact)
  const outcomes = await mapBounded(blobs, options.jobs, async blob => {
    const early = await options.early?.outcome(blob.descriptor.digest)
    if (early) return early
    const pushed = await pushOne(client, repo, blob, options.pushedTo)
    options.log.debug(`${pushed.digest}: ${pushed.outcome}`)
    return pushed
  })

  if (artifact.kind === 'index') {
    for (const img of artifact.images) {
      await client.putManifest(
        repo,
        img.digest,
        img.manifestBytes,
        img.manifest.mediaType
      )
    }
  }
  const tags: PushReport['tags'] = []
  if (plans.length === 0) {
    await client.putManifest(repo, top.digest, top.bytes, top.mediaType)
  }
  for (const plan of plans) {
    if (plan.existing === top.digest) {
      tags.push({ tag: plan.tag, outcome: 'unchanged' })
      continue
    }
    await client.putManifest(repo, plan.tag, top.bytes, top.mediaType)
    tags.push({
      tag: plan.tag,
      outcome: plan.existing ? 'overwritten' : 'created'
    })
  }

  const uploadedBytes = outcomes
    .filter(o => o.outcome === 'uploaded')
    .reduce((n, o) => n + o.size, 0)
  const reusedBytes = outcomes
    .filter(o => o.outcome !== 'uploaded')
    .reduce((n, o) => n + o.size, 0)
  return { blobs: outcomes, uploadedBytes, reusedBytes, tags }
}
