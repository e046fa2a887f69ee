import { isDigest, type Digest } from '../oci/digest'
import type { Inputs } from '../inputs'
import { index, type Artifact, type Image, type Index } from '../oci/image'
import { formatPlatform } from '../oci/platform'
import { parseReference, type Repository } from '../oci/reference'
import type { Platform } from '../oci/types'
import type { RegistryClient } from '../registry/client'
import type { Registries } from '../registry/registries'
import type { Logger } from '../util/log'
import { NotAnImage } from '../registry/errors'
import { readRemote, type RemoteArtifact } from '../registry/remote-image'
import { InputError } from '../errors'

/** Parses `merge-digests` items: `sha256:…` or `REPOSITORY@sha256:…` in the `image` repository. */
function parseMergeDigests(
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

/**
 * The fan-in: one OCI index over platform images pushed by digest (by matrix jobs), with no
 * rebuild. Platforms come from each image's config; an index given as input contributes its
 * children. Duplicate platforms are refused; entries are sorted by platform, so the same inputs
 * always give the same index digest.
 */
async function mergeImages(
  client: RegistryClient,
  repo: Repository,
  digests: readonly Digest[],
  annotations: Record<string, string>
): Promise<Index> {
  const images: Image[] = []
  for (const digest of digests) {
    let found: RemoteArtifact | undefined
    try {
      found = await readRemote(client, repo, digest)
    } catch (error) {
      if (!(error instanceof NotAnImage)) throw error
      throw new InputError('merge-digests', error.message)
    }
    if (!found) {
      throw new InputError(
        'merge-digests',
        `${repo}@${digest} does not exist; push the platform images (push-by-digest) first`
      )
    }
    images.push(...found.images)
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

/** The merge stage, instead of a build: one index over platform images already pushed. */
export function mergeStage(
  inputs: Pick<Inputs, 'image' | 'mergeDigests' | 'annotations'>,
  registries: Registries,
  log: Logger
): Promise<Artifact> {
  return log.group('Merge platform images', async () => {
    const digests = parseMergeDigests(inputs.mergeDigests, inputs.image)
    const merged = await mergeImages(
      registries.client(inputs.image.registry),
      inputs.image,
      digests,
      inputs.annotations
    )
    log.info(
      `index ${merged.digest}: ${merged.images.map(i => `${formatPlatform(i.platform)} ${i.digest}`).join(', ')}`
    )
    return merged
  })
}
