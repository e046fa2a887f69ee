import type { Blob } from '../oci/image'
import {
  isDockerType,
  isImageManifest,
  isIndex,
  MediaType
} from '../oci/media-types'
import { formatPlatform, platformMatches } from '../oci/platform'
import type { Reference } from '../oci/reference'
import {
  rfc3339,
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  type Platform
} from '../oci/types'
import type { Digest } from '../oci/digest'
import type { RegistryClient } from '../registry/client'
import type { Registries } from '../registry/registries'

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

export function scratchBase(
  platforms: Platform[],
  epoch: number
): ResolvedBase {
  return {
    name: '',
    platforms: platforms.map(platform => ({
      platform,
      config: emptyConfig(platform, epoch),
      layers: []
    }))
  }
}

function remoteLayer(
  client: RegistryClient,
  reference: Reference,
  descriptor: Descriptor
): Blob {
  return {
    descriptor: {
      ...descriptor,
      mediaType: ociLayerType(descriptor.mediaType)
    },
    origin: reference.repository,
    open: offset =>
      client.getBlob(reference.repository, descriptor.digest, offset)
  }
}

async function loadPlatform(
  client: RegistryClient,
  reference: Reference,
  manifestBytes: Buffer,
  digest: Digest
): Promise<BasePlatform> {
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as ImageManifest
  const configBytes = await client.getBlobBytes(
    reference.repository,
    manifest.config.digest
  )
  const config = JSON.parse(configBytes.toString('utf8')) as ImageConfig
  const platform: Platform = {
    os: config.os,
    architecture: config.architecture,
    ...(config.variant ? { variant: config.variant } : {})
  }
  return {
    platform,
    digest,
    config,
    layers: manifest.layers.map(d => remoteLayer(client, reference, d))
  }
}

/**
 * Resolves the base reference to a digest once, then reads the manifest and config of each
 * wanted platform. Layer bytes are not read here: sinks fetch them only if they lack them.
 */
export async function resolveBase(
  reference: Reference,
  wanted: Platform[] | 'all',
  registries: Registries
): Promise<ResolvedBase> {
  const client = registries.client(reference.repository.registry)
  const top = await client.getManifest(
    reference.repository,
    reference.identifier
  )
  const name = reference.toString()

  if (isIndex(top.mediaType)) {
    const index = JSON.parse(top.bytes.toString('utf8')) as ImageIndex
    const candidates = index.manifests.filter(
      d =>
        d.platform &&
        d.platform.os !== 'unknown' &&
        d.platform.architecture !== 'unknown' &&
        isImageManifest(d.mediaType)
    )
    const chosen: Descriptor[] = []
    if (wanted === 'all') {
      chosen.push(...candidates)
    } else {
      for (const platform of wanted) {
        const match = candidates.find(d =>
          platformMatches(d.platform as Platform, platform)
        )
        if (!match) {
          const available = candidates
            .map(d => formatPlatform(d.platform as Platform))
            .join(', ')
          throw new Error(
            `base ${name} has no ${formatPlatform(platform)} image (it has: ${available})`
          )
        }
        chosen.push(match)
      }
    }
    const platforms = await Promise.all(
      chosen.map(async d => {
        const child = await client.getManifest(reference.repository, d.digest)
        const loaded = await loadPlatform(
          client,
          reference,
          child.bytes,
          child.digest
        )
        return { ...loaded, platform: d.platform as Platform }
      })
    )
    return { name, digest: top.digest, reference, platforms }
  }

  if (!isImageManifest(top.mediaType) && !isDockerType(top.mediaType)) {
    throw new Error(
      `base ${name} is a ${top.mediaType || 'manifest of unknown type'}, not an image`
    )
  }
  const single = await loadPlatform(client, reference, top.bytes, top.digest)
  if (wanted !== 'all') {
    if (wanted.length !== 1 || !platformMatches(single.platform, wanted[0])) {
      throw new Error(
        `base ${name} is a single-platform image for ${formatPlatform(single.platform)}; it cannot serve ${wanted.map(formatPlatform).join(', ')}`
      )
    }
  }
  return { name, digest: top.digest, reference, platforms: [single] }
}
