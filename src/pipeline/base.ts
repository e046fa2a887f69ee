import type { Blob } from '../oci/image'
import { MediaType } from '../oci/media-types'
import { formatPlatform, platformMatches } from '../oci/platform'
import type { Reference } from '../oci/reference'
import { rfc3339, type ImageConfig, type Platform } from '../oci/types'
import type { Digest } from '../oci/digest'
import { InputError } from '../errors'
import type { BuildInputs } from '../inputs'
import type { Registries } from '../registry/registries'
import type { Logger } from '../util/log'
import type { BuildContext } from './context'
import { readRemote } from '../registry/remote-image'

/** The base for one platform: its config and layers, read lazily from the base's registry. */
export interface BasePlatform {
  platform: Platform
  /** Digest of the platform's own manifest. */
  digest?: Digest
  config: ImageConfig
  layers: Blob[]
}

export interface ResolvedBase {
  /** The reference as given, e.g. `cgr.dev/chainguard/static:latest`; empty for scratch. */
  name: string
  /** The digest the reference resolved to, once, for this run. */
  digest?: Digest
  reference?: Reference
  platforms: BasePlatform[]
}

/** Docker's layer types are the same bytes as OCI's; writing OCI manifests keeps types unmixed. */
function ociLayerType(mediaType: string): string {
  switch (mediaType) {
    case MediaType.dockerLayerGzip:
      return MediaType.ociLayerGzip
    case MediaType.dockerForeignLayer:
      return 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip'
    default:
      return mediaType
  }
}

function emptyConfig(platform: Platform, epoch: number): ImageConfig {
  return {
    created: rfc3339(epoch),
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: {},
    rootfs: { type: 'layers', diff_ids: [] },
    history: []
  }
}

function scratchBase(platforms: Platform[], epoch: number): ResolvedBase {
  return {
    name: '',
    platforms: platforms.map(platform => ({
      platform,
      config: emptyConfig(platform, epoch),
      layers: []
    }))
  }
}

/**
 * Resolves the base reference to a digest once, then reads the manifest and config of each
 * wanted platform. Layer bytes are not read here: sinks fetch them only if they lack them.
 */
async function resolveBase(
  reference: Reference,
  wanted: Platform[] | 'all',
  registries: Registries
): Promise<ResolvedBase> {
  const name = reference.toString()
  const remote = await readRemote(
    registries.client(reference.repository.registry),
    reference.repository,
    reference.identifier,
    {
      select: all => {
        // A base is chosen from by the platforms its index states.
        const entries = all.filter(d => d.platform !== undefined)
        if (wanted === 'all') return entries
        return wanted.map(platform => {
          const match = entries.find(d =>
            platformMatches(d.platform as Platform, platform)
          )
          if (!match) {
            const available = entries
              .map(d => formatPlatform(d.platform as Platform))
              .join(', ')
            throw new Error(
              `base ${name} has no ${formatPlatform(platform)} image (it has: ${available})`
            )
          }
          return match
        })
      }
    }
  )
  if (!remote) throw new Error(`base ${name} does not exist`)
  if (!remote.index && wanted !== 'all') {
    const single = remote.images[0].platform
    if (wanted.length !== 1 || !platformMatches(single, wanted[0])) {
      throw new Error(
        `base ${name} is a single-platform image for ${formatPlatform(single)}; it cannot serve ${wanted.map(formatPlatform).join(', ')}`
      )
    }
  }
  return {
    name,
    digest: remote.digest,
    reference,
    platforms: remote.images.map(image => ({
      platform: image.platform,
      digest: image.digest,
      config: image.config,
      layers: image.layers.map(layer => ({
        ...layer,
        descriptor: {
          ...layer.descriptor,
          mediaType: ociLayerType(layer.descriptor.mediaType)
        }
      }))
    }))
  }
}

/**
 * Starts reading the base from its registry (nothing is logged), so that the run's git questions
 * and the registry's answers overlap; `baseStage` takes the result. Nothing to read for scratch.
 */
export function startResolvingBase(
  inputs: Pick<BuildInputs, 'base' | 'platforms'>,
  registries: Registries
): Promise<ResolvedBase> | undefined {
  if (inputs.base === 'scratch') return undefined
  const resolving = resolveBase(inputs.base, inputs.platforms, registries)
  // A failure is the base stage's to report, in its turn.
  resolving.catch(() => {})
  return resolving
}

/**
 * The base stage: the base resolved to a digest once for the run (scratch: an empty config per
 * platform), with the platforms it serves.
 */
export function baseStage(
  inputs: Pick<BuildInputs, 'base' | 'platforms'>,
  context: BuildContext,
  registries: Registries,
  log: Logger,
  /** The resolution `startResolvingBase` began; else it is made now. */
  resolving?: Promise<ResolvedBase>
): Promise<ResolvedBase> {
  return log.group('Resolve base', async () => {
    if (inputs.base === 'scratch') {
      if (inputs.platforms === 'all')
        throw new InputError(
          'platforms',
          '"all" needs a base image to take the platforms from'
        )
      return scratchBase(inputs.platforms, context.sourceDateEpoch)
    }
    const resolved = await (resolving ??
      resolveBase(inputs.base, inputs.platforms, registries))
    log.info(
      `${resolved.name} → ${resolved.digest} (${resolved.platforms.map(p => formatPlatform(p.platform)).join(', ')})`
    )
    return resolved
  })
}
