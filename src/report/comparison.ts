import { annotationKeys } from '../oci/annotations'
import type { Digest } from '../oci/digest'
import type { Artifact, Image } from '../oci/image'
import { formatPlatform } from '../oci/platform'

export interface LayerComparison {
  position: number
  digest: Digest
  size: number
  source?: string
  status: 'unchanged' | 'changed' | 'added'
  /** Compressed size difference against the base branch's layer at the same position. */
  delta: number
}

export interface PlatformComparison {
  platform: string
  layers: LayerComparison[]
  /** Layers the base branch's image had beyond ours. */
  removed: { digest: Digest; size: number }[]
  total: number
  baseTotal: number
}

/** How the image differs from the one built for the pull request's base commit. */
export interface Comparison {
  /** `REPOSITORY:TAG` of the base branch's image. */
  reference: string
  digest?: Digest
  platforms: PlatformComparison[]
  baseImage: { before?: string; after?: string }
}

type Layer = { digest: Digest; size: number; source?: string }

function comparePlatform(
  platform: string,
  ours: Layer[],
  theirs: Layer[]
): PlatformComparison {
  const layers = ours.map((layer, position): LayerComparison => {
    const other = theirs[position]
    return {
      position,
      digest: layer.digest,
      size: layer.size,
      source: layer.source,
      status: !other
        ? 'added'
        : other.digest === layer.digest
          ? 'unchanged'
          : 'changed',
      delta: layer.size - (other?.size ?? 0)
    }
  })
  const sum = (list: Layer[]): number => list.reduce((n, l) => n + l.size, 0)
  return {
    platform,
    layers,
    removed: theirs.slice(ours.length),
    total: sum(ours),
    baseTotal: sum(theirs)
  }
}

/**
 * How `ours` differs from `theirs` (the base commit's image, `reference`), per platform and per
 * layer position; the base image digest is compared on the first platform of both.
 */
export function compareImages(
  ours: Artifact,
  theirs: { reference: string; digest: Digest; images: readonly Image[] }
): Comparison {
  const byPlatform = new Map(
    theirs.images.map(image => [formatPlatform(image.platform), image])
  )
  const images = ours.kind === 'image' ? [ours] : ours.images
  const platforms = images.map(img => {
    const key = formatPlatform(img.platform)
    const base = byPlatform.get(key)?.manifest.layers ?? []
    return comparePlatform(
      key,
      img.layers.map(l => ({
        digest: l.descriptor.digest,
        size: l.descriptor.size,
        source: l.built?.source
      })),
      base.map(l => ({ digest: l.digest, size: l.size }))
    )
  })
  const firstTheirs = byPlatform.get(formatPlatform(images[0].platform))
  return {
    reference: theirs.reference,
    digest: theirs.digest,
    platforms,
    baseImage: {
      before: firstTheirs?.manifest.annotations?.[annotationKeys.baseDigest],
      after: images[0].manifest.annotations?.[annotationKeys.baseDigest]
    }
  }
}
