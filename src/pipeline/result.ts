import type { Digest } from '../oci/digest'
import type { Artifact } from '../oci/image'
import { formatPlatform } from '../oci/platform'
import type { Inputs } from '../inputs'
import type { PushReport } from '../sinks/registry'
import type { SignatureRecord } from '../sign/signer'
import type { DeployResult } from './deploy'
import type { Comparison } from './compare'
import type { ResolvedBase } from './base'
import type { BuildContext } from './context'

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
  /** `REPOSITORY@DIGEST`. */
  image: string
  /** Full `REPOSITORY:TAG` references. */
  tags: string[]
  configDigest?: Digest
  mediaType: string
  platforms: PlatformResult[]
  base?: { name: string; digest?: Digest }
  revision?: string
  sourceDateEpoch: number
  pushed: boolean
  push?: PushReport
  ociLayout?: string
  /** One record per signed digest: the top-level one first. */
  signatures: SignatureRecord[]
  deploy?: DeployResult
  /** Against the image of the pull request's base commit (pull_request events). */
  comparison?: Comparison
  /** Why nothing was pushed although push was true (a fork's read-only credentials). */
  pushSkipped?: string
  /** Set on pull_request events. */
  pullRequest?: { number: number; baseBranch?: string }
}

export function resultOf(
  inputs: Inputs,
  artifact: Artifact,
  base: ResolvedBase,
  tags: string[],
  context: BuildContext,
  push: PushReport | undefined
): PipelineResult {
  const images = artifact.kind === 'image' ? [artifact] : artifact.images
  const repository = inputs.image.toString()
  return {
    digest: artifact.digest,
    repository,
    image: `${repository}@${artifact.digest}`,
    tags: tags.map(tag => `${repository}:${tag}`),
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
    revision: context.sha,
    sourceDateEpoch: context.sourceDateEpoch,
    pushed: push !== undefined,
    push,
    ociLayout: inputs.ociLayout,
    signatures: [],
    ...(context.pr !== undefined
      ? { pullRequest: { number: context.pr, baseBranch: context.baseBranch } }
      : {})
  }
}
