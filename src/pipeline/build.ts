import type { BuildInputs } from '../inputs'
import type { Digest } from '../oci/digest'
import type { Artifact, Blob } from '../oci/image'
import { formatPlatform } from '../oci/platform'
import type { Registries } from '../registry/registries'
import type { Logger } from '../util/log'
import { assemble } from './assemble'
import { resolveBase, scratchBase, type ResolvedBase } from './base'
import type { BuildContext } from './context'
import type { BlobObserver } from '../layer/observer'
import { buildLayers } from './layers'

/** Resolves the base, builds the layers and assembles the image (or index). */
export async function buildArtifact(
  inputs: BuildInputs,
  context: BuildContext,
  registries: Registries,
  options: {
    workingDirectory: string
    scratchDir: string
    jobs: number
    reuse?: (diffId: Digest) => Promise<Blob | undefined>
    observer?: BlobObserver
    followFrom?: number
    log: Logger
  }
): Promise<{ base: ResolvedBase; artifact: Artifact }> {
  const { log } = options
  const base: ResolvedBase = await log.group('Resolve base', async () => {
    if (inputs.base === 'scratch') {
      if (inputs.platforms === 'all')
        throw new Error(
          'Input "platforms": "all" needs a base image to take the platforms from'
        )
      return scratchBase(inputs.platforms, context.sourceDateEpoch)
    }
    const resolved = await resolveBase(
      inputs.base,
      inputs.platforms,
      registries
    )
    log.info(
      `${resolved.name} → ${resolved.digest} (${resolved.platforms.map(p => formatPlatform(p.platform)).join(', ')})`
    )
    return resolved
  })

  const layers = await log.group('Build layers', () =>
    buildLayers(
      inputs.layers,
      base.platforms.map(p => p.platform),
      {
        workingDirectory: options.workingDirectory,
        scratchDir: options.scratchDir,
        mtime:
          inputs.fileMtime === 'source-date'
            ? context.sourceDateEpoch
            : inputs.fileMtime,
        uid: inputs.layerOwner.uid,
        gid: inputs.layerOwner.gid,
        jobs: options.jobs,
        compression: inputs.compression,
        reuse: options.reuse,
        existing: base.platforms.flatMap(p => p.layers),
        observer: options.observer,
        followFrom: options.followFrom,
        log
      }
    )
  )

  const artifact: Artifact = await log.group('Assemble', async () => {
    const result = assemble(base, layers, inputs, context)
    log.info(
      `${result.kind === 'index' ? 'index' : 'manifest'} ${result.digest}`
    )
    return result
  })
  return { base, artifact }
}
