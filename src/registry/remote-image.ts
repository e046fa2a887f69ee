import type { Digest } from '../oci/digest'
import { bytesBlob, type Artifact, type Blob, type Image } from '../oci/image'
import { isImageManifest, isIndex } from '../oci/media-types'
import type { Repository } from '../oci/reference'
import type {
  Descriptor,
  ImageConfig,
  ImageIndex,
  ImageManifest,
  Platform
} from '../oci/types'
import type { ManifestFound, RegistryClient } from './client'
import { NotAnImage } from './errors'

/**
 * An image or index already in a registry: the top-level digest, the index when it is one, and
 * the images that were asked for, each exactly as stored (its bytes are its digest).
 */
export interface RemoteArtifact {
  digest: Digest
  mediaType: string
  index?: ImageIndex
  images: Image[]
  /** The whole artifact, exactly as stored: what a sink or signer takes (all images read). */
  artifact?: Artifact
}

/** A platform as an image config states it (`os.version` and `os.features` included). */
function platformOfConfig(config: ImageConfig): Platform {
  const features = config['os.features']
  return {
    os: config.os,
    architecture: config.architecture,
    ...(config.variant ? { variant: config.variant } : {}),
    ...(config['os.version'] ? { 'os.version': config['os.version'] } : {}),
    ...(Array.isArray(features) && features.length
      ? { 'os.features': features as string[] }
      : {})
  }
}

/**
 * The image manifests of an index, but for attestations (`unknown/unknown`). An entry without a
 * `platform` is kept: its image's config says which platform it is.
 */
function imageEntries(index: ImageIndex): Descriptor[] {
  return index.manifests.filter(
    d =>
      isImageManifest(d.mediaType) &&
      !(d.platform?.os === 'unknown' && d.platform.architecture === 'unknown')
  )
}

/** `repo:tag` or `repo@digest`, for messages. */
function named(repo: Repository, reference: string): string {
  return `${repo}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`
}

function parse<T>(bytes: Buffer, what: string): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T
  } catch {
    throw new Error(`${what} is not JSON`)
  }
}

/**
 * Reads one image from its manifest: the config is fetched (and checked against its digest),
 * layers stay remote until a sink reads them. `platform` is the index entry's, when read through
 * an index; otherwise the config's.
 */
async function remoteImage(
  client: RegistryClient,
  repo: Repository,
  found: ManifestFound,
  platform?: Platform
): Promise<Image> {
  const manifest = parse<ImageManifest>(found.bytes, `${repo}@${found.digest}`)
  if (!manifest.config || !Array.isArray(manifest.layers))
    throw new Error(`${repo}@${found.digest} is not an image manifest`)
  const configBytes = await client.getBlobBytes(repo, manifest.config.digest)
  const config = parse<ImageConfig>(
    configBytes,
    `the config of ${repo}@${found.digest}`
  )
  const layers: Blob[] = manifest.layers.map(descriptor => ({
    descriptor,
    origin: repo,
    open: offset => client.getBlob(repo, descriptor.digest, { offset })
  }))
  return {
    kind: 'image',
    platform: platform ?? platformOfConfig(config),
    manifest,
    manifestBytes: found.bytes,
    digest: found.digest,
    config,
    configBlob: bytesBlob(manifest.config.mediaType, configBytes),
    layers
  }
}

export interface ReadOptions {
  /** Picks which image entries of an index to read (all of them by default); may throw. */
  select?: (entries: Descriptor[]) => Descriptor[]
}

/**
 * The one way an image already in a registry is read (go-containerregistry's `remote.Image` and
 * `remote.Index`): by tag or digest, an image or an index with the chosen platforms. `undefined`
 * when the reference does not exist.
 */
export async function readRemote(
  client: RegistryClient,
  repo: Repository,
  reference: string,
  options: ReadOptions = {}
): Promise<RemoteArtifact | undefined> {
  const top = await client.findManifest(repo, reference)
  if (!top) return undefined
  if (isIndex(top.mediaType)) {
    const index = parse<ImageIndex>(top.bytes, named(repo, reference))
    const entries = imageEntries(index)
    const chosen = options.select ? options.select(entries) : entries
    const images = await Promise.all(
      chosen.map(async entry =>
        remoteImage(
          client,
          repo,
          await client.getManifest(repo, entry.digest),
          entry.platform
        )
      )
    )
    const all = images.length === entries.length
    return {
      digest: top.digest,
      mediaType: top.mediaType,
      index,
      images,
      ...(all
        ? {
            artifact: {
              kind: 'index',
              index,
              indexBytes: top.bytes,
              digest: top.digest,
              images
            }
          }
        : {})
    }
  }
  if (!isImageManifest(top.mediaType)) {
    throw new NotAnImage(named(repo, reference), top.mediaType)
  }
  const image = await remoteImage(client, repo, top)
  return {
    digest: top.digest,
    mediaType: top.mediaType,
    images: [image],
    artifact: image
  }
}
