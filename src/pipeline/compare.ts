import type { Digest } from '../oci/digest'
import type { Artifact } from '../oci/image'
import { isIndex } from '../oci/media-types'
import { formatPlatform } from '../oci/platform'
import type { Repository } from '../oci/reference'
import type { ImageIndex, ImageManifest, Platform } from '../oci/types'
import type { RegistryClient } from '../registry/client'
import { annotationKeys } from './assemble'
import type { Inputs } from '../inputs'
import type { Registries } from '../registry/registries'
import type { Logger } from '../util/log'
import type { BuildContext } from './context'
import { renderTags } from './tags'

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
 * Compares the built image with the image of the base commit (by its tag), per platform and per
 * layer position. `undefined` when the base commit has no image.
 */
export async function compareWithBase(
  client: RegistryClient,
  repo: Repository,
  artifact: Artifact,
  tag: string
): Promise<Comparison | undefined> {
  const top = await client.findManifest(repo, tag)
  if (!top) return undefined
  const theirs = new Map<string, { manifest: ImageManifest }>()
  if (isIndex(top.mediaType)) {
    const index = JSON.parse(top.bytes.toString('utf8')) as ImageIndex
    for (const d of index.manifests) {
      if (!d.platform) continue
      const child = await client.getManifest(repo, d.digest)
      theirs.set(formatPlatform(d.platform), {
        manifest: JSON.parse(child.bytes.toString('utf8')) as ImageManifest
      })
    }
  } else {
    const manifest = JSON.parse(top.bytes.toString('utf8')) as ImageManifest
    const config = JSON.parse(
      (await client.getBlobBytes(repo, manifest.config.digest)).toString('utf8')
    ) as Platform
    theirs.set(
      formatPlatform({
        os: config.os,
        architecture: config.architecture,
        variant: config.variant
      }),
      { manifest }
    )
  }
  const images = artifact.kind === 'image' ? [artifact] : artifact.images
  const platforms = images.map(img => {
    const key = formatPlatform(img.platform)
    const base = theirs.get(key)?.manifest.layers ?? []
    const ours = img.layers.map(l => ({
      digest: l.descriptor.digest,
      size: l.descriptor.size,
      source: l.built?.source
    }))
    return comparePlatform(
      key,
      ours,
      base.map(l => ({ digest: l.digest, size: l.size }))
    )
  })
  // The base image digest is recorded per platform: compare the same platform on both sides.
  const firstTheirs = theirs.get(formatPlatform(images[0].platform))?.manifest
  return {
    reference: `${repo}:${tag}`,
    digest: top.digest,
    platforms,
    baseImage: {
      before: firstTheirs?.annotations?.[annotationKeys.baseDigest],
      after: images[0].manifest.annotations?.[annotationKeys.baseDigest]
    }
  }
}

/** The comparison with the base commit's image; a missing image or any error is only a warning. */
export async function compareBase(
  inputs: Inputs,
  context: BuildContext,
  registries: Registries,
  artifact: Artifact,
  log: Logger
): Promise<Comparison | undefined> {
  // Templates naming the commit, and nothing that belongs to this run (its number or date).
  const templates = inputs.tags.filter(
    t =>
      /\{\{\s*(sha|short_sha)\s*\}\}/.test(t) &&
      !/\{\{\s*(run_number|date|pr)\s*\}\}/.test(t)
  )
  if (!context.baseCommit || templates.length === 0) return undefined
  try {
    const [tag] = renderTags([templates[0]], {
      ...context,
      sha: context.baseCommit,
      branch: context.baseBranch,
      pr: undefined
    })
    const comparison = await compareWithBase(
      registries.client(inputs.image.registry),
      inputs.image,
      artifact,
      tag
    )
    if (!comparison)
      log.info(
        `no image for the base commit ${context.baseCommit.slice(0, 7)} (${inputs.image}:${tag}); nothing to compare`
      )
    return comparison
  } catch (error) {
    log.warning(
      `could not compare with the base branch's image: ${(error as Error).message}`
    )
    return undefined
  }
}
