import type { BuildInputs } from '../inputs'
import type { Digest } from '../oci/digest'
import type { Artifact, Blob } from '../oci/image'
import type { Logger } from '../util/log'
import { assemble } from './assemble'
import type { ResolvedBase } from './base'
import type { BuildContext } from './context'
import type { BlobObserver } from '../layer/observer'
import { buildLayers, type BuiltLayers, type SourceListing } from './layers'

/** Builds the layers and assembles the image (or index) on the resolved base. */
export async function buildArtifact(
  inputs: BuildInputs,
  context: BuildContext,
  base: ResolvedBase,
  options: {
    workingDirectory: string
    scratchDir: string
    jobs: number
    reuse?: (diffId: Digest, size: number) => Promise<Blob | undefined>
    expectReuse?: (
      source: string,
      destination: string
    ) => (actual?: Digest) => void
    observer?: BlobObserver
    followFrom?: number
    listing?: SourceListing
    log: Logger
  }
): Promise<{ artifact: Artifact; contents: BuiltLayers['contents'] }> {
  const { log } = options
  const { layers, contents } = await log.group('Build layers', () =>
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
        exclude: inputs.exclude,
        reuse: options.reuse,
        expectReuse: options.expectReuse,
        existing: base.platforms.flatMap(p => p.layers),
        observer: options.observer,
        followFrom: options.followFrom,
        listing: options.listing,
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
  return { artifact, contents }
}
