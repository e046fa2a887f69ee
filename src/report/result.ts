import type { DeployResult } from '../deploy/result'
import type { Digest } from '../oci/digest'
import type { Artifact } from '../oci/image'
import { formatPlatform } from '../oci/platform'
import type { Repository } from '../oci/reference'
import type { SignatureRecord } from '../sign/signer'
import type { LoadReport } from '../sinks/engine'
import type { PushReport } from '../sinks/registry'
import type { Comparison } from './comparison'

export interface LayerResult {
  digest: Digest
  size: number
  mediaType: string
  /** Set for layers we built; base layers have none. */
  diffId?: Digest
  source?: string
  destination?: string
  /** The previous image whose blob was reused for an unchanged layer (not compressed again). */
  reusedFrom?: string
}

export interface PlatformResult {
  platform: string
  digest: Digest
  configDigest: Digest
  layers: LayerResult[]
}

/** What a run produced: the source of outputs, `metadata` and the job summary. */
export interface PipelineResult {
  digest: Digest
  repository: string
  /** `REPOSITORY@DIGEST` of the primary repository. */
  image: string
  /** `REPOSITORY@DIGEST` in every repository the image went to, the primary first. */
  images: string[]
  /** Full `REPOSITORY:TAG` references, in every repository. */
  tags: string[]
  configDigest?: Digest
  mediaType: string
  platforms: PlatformResult[]
  base?: { name: string; digest?: Digest }
  revision?: string
  sourceDateEpoch: number
  pushed: boolean
  push?: PushReport
  /** The other repositories' pushes. */
  mirrors?: { repository: string; push: PushReport }[]
  ociLayout?: string
  /** One record per signed digest: the top-level one first. */
  signatures: SignatureRecord[]
  /**
   * The SBOM attached to each platform image (when signing): the document's file, a count, and
   * the base layers (digests) that could not be read, whose packages it lacks.
   */
  sboms?: {
    platform: string
    path: string
    packages: number
    unreadLayers?: string[]
  }[]
  deploy?: DeployResult
  /** Against the image of the pull request's base commit (pull_request events). */
  comparison?: Comparison
  /** Why nothing was pushed although push was true (a fork's read-only credentials). */
  pushSkipped?: string
  /** Set on pull_request events. */
  pullRequest?: { number: number; baseBranch?: string }
  /** The engine the image was loaded into (`load`), its platform and references. */
  loaded?: LoadReport
}

/** The result as far as the image goes: what was built, pushed (or not), under which tags. */
export function imageResult(built: {
  repository: Repository
  /** Every repository, the primary first. */
  repositories?: readonly Repository[]
  artifact: Artifact
  /** The base's name and the digest it resolved to; no name for scratch (or a merge). */
  base: { name: string; digest?: Digest }
  tags: readonly string[]
  revision?: string
  sourceDateEpoch: number
  pullRequest?: { number: number; baseBranch?: string }
  ociLayout?: string
  push?: PushReport
  mirrors?: { repository: string; push: PushReport }[]
}): PipelineResult {
  const { artifact, base, push } = built
  const all = (built.repositories ?? [built.repository]).map(String)
  const images = artifact.kind === 'image' ? [artifact] : artifact.images
  const repository = built.repository.toString()
  return {
    digest: artifact.digest,
    repository,
    image: `${repository}@${artifact.digest}`,
    images: all.map(repo => `${repo}@${artifact.digest}`),
    tags: all.flatMap(repo => built.tags.map(tag => `${repo}:${tag}`)),
    configDigest:
      artifact.kind === 'image'
        ? artifact.configBlob.descriptor.digest
        : undefined,
    mediaType:
      artifact.kind === 'image'
        ? artifact.manifest.mediaType
        : artifact.index.mediaType,
    platforms: images.map(img => ({
      platform: formatPlatform(img.platform),
      digest: img.digest,
      configDigest: img.configBlob.descriptor.digest,
      layers: img.layers.map(layer => ({
        digest: layer.descriptor.digest,
        size: layer.descriptor.size,
        mediaType: layer.descriptor.mediaType,
        ...(layer.built
          ? {
              diffId: layer.built.diffId,
              source: layer.built.source,
              destination: layer.built.destination,
              ...(layer.built.reusedFrom
                ? { reusedFrom: layer.built.reusedFrom }
                : {})
            }
          : {})
      }))
    })),
    base: base.name ? { name: base.name, digest: base.digest } : undefined,
    revision: built.revision,
    sourceDateEpoch: built.sourceDateEpoch,
    pushed: push !== undefined,
    push,
    ...(built.mirrors?.length ? { mirrors: built.mirrors } : {}),
    ociLayout: built.ociLayout,
    signatures: [],
    ...(built.pullRequest ? { pullRequest: built.pullRequest } : {})
  }
}
