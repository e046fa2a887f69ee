import { isDigest, type Digest } from '../oci/digest'
import {
  bytesBlob,
  index,
  type Blob,
  type Image,
  type Index
} from '../oci/image'
import { isImageManifest, isIndex } from '../oci/media-types'
import { formatPlatform } from '../oci/platform'
import { parseReference, type Repository } from '../oci/reference'
import type {
  ImageConfig,
  ImageIndex,
  ImageManifest,
  Platform
} from '../oci/types'
import type { RegistryClient } from '../registry/client'
import { RegistryError } from '../registry/errors'
import { InputError } from '../errors'

/** Parses `merge-digests` items: `sha256:…` or `REPOSITORY@sha256:…` in the `image` repository. */
export function parseMergeDigests(
  items: readonly string[],
  image: Repository
): Digest[] {
  const digests: Digest[] = []
  for (const item of items) {
    let digest: string | undefined = item
    if (!isDigest(item)) {
      const ref = (() => {
        try {
          return parseReference(item)
        } catch (error) {
          throw new InputError(
            'merge-digests',
            `"${item}": ${(error as Error).message}`
          )
        }
      })()
      if (!ref.digest)
        throw new InputError(
          'merge-digests',
          `"${item}" has no digest (write sha256:… or ${image}@sha256:…)`
        )
      if (!ref.repository.equals(image)) {
        throw new InputError(
          'merge-digests',
          `"${item}" is in ${ref.repository}, not in the image repository ${image}`
        )
      }
      digest = ref.digest
    }
    if (digests.includes(digest as Digest))
      throw new InputError('merge-digests', `${digest} is listed twice`)
    digests.push(digest as Digest)
  }
  return digests
}

function platformKey(p: Platform): string {
  return [p.os, p.architecture, p.variant ?? '', p['os.version'] ?? ''].join(
    '/'
  )
}

/** An image already in the registry, as an `Image` whose bytes are exactly the stored ones. */
async function remoteImage(
  client: RegistryClient,
  repo: Repository,
  digest: Digest,
  bytes: Buffer
): Promise<Image> {
  const manifest = JSON.parse(bytes.toString('utf8')) as ImageManifest
  const configBytes = await client.getBlobBytes(repo, manifest.config.digest)
  const config = JSON.parse(configBytes.toString('utf8')) as ImageConfig
  const configBlob = bytesBlob(manifest.config.mediaType, configBytes)
  const layers: Blob[] = manifest.layers.map(descriptor => ({
    descriptor,
    origin: repo,
    open: offset => client.getBlob(repo, descriptor.digest, offset)
  }))
  const platform: Platform = {
    os: config.os,
    architecture: config.architecture,
    ...(config.variant ? { variant: config.variant } : {}),
    ...(config['os.version'] ? { 'os.version': config['os.version'] } : {})
  }
  return {
    kind: 'image',
    platform,
    manifest,
    manifestBytes: bytes,
    digest,
    config,
    configBlob,
    layers
  }
}

/**
 * The fan-in: one OCI index over platform images pushed by digest (by matrix jobs), with no
 * rebuild. Platforms come from each image's config; an index given as input contributes its
 * children. Duplicate platforms are refused; entries are sorted by platform, so the same inputs
 * always give the same index digest.
 */
export async function mergeImages(
  client: RegistryClient,
  repo: Repository,
  digests: readonly Digest[],
  annotations: Record<string, string>
): Promise<Index> {
  const images: Image[] = []
  for (const digest of digests) {
    let found
    try {
      found = await client.getManifest(repo, digest)
    } catch (error) {
      if (error instanceof RegistryError && error.status === 404) {
        throw new InputError(
          'merge-digests',
          `${repo}@${digest} does not exist; push the platform images (push-by-digest) first`
        )
      }
      throw error
    }
    if (isIndex(found.mediaType)) {
      const nested = JSON.parse(found.bytes.toString('utf8')) as ImageIndex
      for (const child of nested.manifests.filter(
        d => isImageManifest(d.mediaType) && d.platform?.os !== 'unknown'
      )) {
        const bytes = (await client.getManifest(repo, child.digest)).bytes
        images.push(await remoteImage(client, repo, child.digest, bytes))
      }
    } else if (isImageManifest(found.mediaType)) {
      images.push(await remoteImage(client, repo, digest, found.bytes))
    } else {
      throw new InputError(
        'merge-digests',
        `${digest} is a ${found.mediaType || 'manifest of unknown type'}, not an image`
      )
    }
  }
  const seen = new Map<string, Digest>()
  for (const img of images) {
    const key = platformKey(img.platform)
    const other = seen.get(key)
    if (other && other !== img.digest) {
      throw new InputError(
        'merge-digests',
        `${other} and ${img.digest} are both ${formatPlatform(img.platform)}; one image per platform`
      )
    }
    seen.set(key, img.digest)
  }
  const unique = [...new Map(images.map(img => [img.digest, img])).values()]
  unique.sort((a, b) => {
    // Code-point order, not the runner's locale: the same inputs give the same index everywhere.
    const [x, y] = [platformKey(a.platform), platformKey(b.platform)]
    return x < y ? -1 : x > y ? 1 : 0
  })
  return index(unique, annotations)
}
