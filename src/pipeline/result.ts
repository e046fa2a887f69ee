import type { Inputs } from '../inputs'
import type { Artifact } from '../oci/image'
import { formatPlatform } from '../oci/platform'
import type { PipelineResult } from '../report/result'
import type { PushReport } from '../sinks/registry'
import type { ResolvedBase } from './base'
import type { BuildContext } from './context'

export type { PipelineResult } from '../report/result'

/** The result as far as the image goes: what was built, pushed (or not), under which tags. */
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
