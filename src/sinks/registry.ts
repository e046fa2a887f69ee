import type { Digest } from '../oci/digest'
import { topLevel, uniqueBlobs, type Artifact } from '../oci/image'
import type { Repository } from '../oci/reference'
import type { RegistryClient, UploadOutcome } from '../registry/client'
import { repositoryScope } from '../registry/auth'
import type { Logger } from '../util/log'
import { mapBounded } from '../util/pool'

/** A tag that points at another image, and overwriting was not allowed. */
export class TagConflictError extends Error {
  constructor(
    readonly reference: string,
    readonly existing: Digest,
    readonly wanted: Digest
  ) {
    super(
      `${reference} already points at ${existing}, not at the new image ${wanted}; tags are immutable. ` +
        'Use a tag that changes with the content (the default {{sha}}), or set allow-tag-overwrite: true'
    )
    this.name = 'TagConflictError'
  }
}

export interface TagPlan {
  tag: string
  existing?: Digest
}

export interface PushReport {
  blobs: { digest: Digest; size: number; outcome: UploadOutcome }[]
  uploadedBytes: number
  reusedBytes: number
  tags: { tag: string; outcome: 'created' | 'unchanged' | 'overwritten' }[]
}

/** Looks up every tag before anything is written: a conflict stops the push with nothing changed. */
export async function planTags(
  client: RegistryClient,
  repo: Repository,
  digest: Digest,
  tags: readonly string[],
  allowOverwrite: boolean
): Promise<TagPlan[]> {
  const scopes = [repositoryScope(repo.path, 'pull,push')]
  const plans = await Promise.all(
    tags.map(async tag => ({
      tag,
      existing: await client.resolveTag(repo, tag, scopes)
    }))
  )
  for (const plan of plans) {
    if (plan.existing && plan.existing !== digest && !allowOverwrite) {
      throw new TagConflictError(`${repo}:${plan.tag}`, plan.existing, digest)
    }
  }
  return plans
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
  options: { jobs: number; log: Logger }
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
    const { digest, size } = blob.descriptor
    const mountFrom =
      blob.origin && blob.origin.registry.name === repo.registry.name
        ? blob.origin
        : undefined
    const outcome = await client.pushBlob(
      repo,
      digest,
      { size, open: offset => blob.open(offset) },
      mountFrom
    )
    options.log.debug(`${digest}: ${outcome}`)
    return { digest, size, outcome }
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
