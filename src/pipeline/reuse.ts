import { compressorId, diffIdOfBlob } from '../build/layer'
import type { Inputs } from '../inputs'
import type { Registries } from '../registry/registries'
import type { BuildContext } from './context'
import { renderTags } from './tags'
import type { Digest } from '../oci/digest'
import type { Blob } from '../oci/image'
import { isIndex } from '../oci/media-types'
import type { Repository } from '../oci/reference'
import type {
  Descriptor,
  ImageConfig,
  ImageIndex,
  ImageManifest
} from '../oci/types'
import type { RegistryClient } from '../registry/client'
import type { Logger } from '../util/log'

interface Candidate {
  descriptor: Descriptor
  compressor: string
  from: string
}

/**
 * The diffID → blob map of previous images of the same repository (e.g. the parent commit's):
 * each config's `diff_ids` paired with its manifest's layers, counted from the end, where our
 * layers are, and kept only for layers whose history names the compressor settings.
 */
export async function previousLayers(
  client: RegistryClient,
  repo: Repository,
  tags: readonly string[],
  log: Logger
): Promise<Map<Digest, Candidate>> {
  const map = new Map<Digest, Candidate>()
  for (const tag of tags) {
    try {
      const top = await client.findManifest(repo, tag)
      if (!top) continue
      const manifests = isIndex(top.mediaType)
        ? await Promise.all(
            (
              JSON.parse(top.bytes.toString('utf8')) as ImageIndex
            ).manifests.map(d => client.getManifest(repo, d.digest))
          )
        : [top]
      for (const found of manifests) {
        const manifest = JSON.parse(
          found.bytes.toString('utf8')
        ) as ImageManifest
        if (!manifest.config || !Array.isArray(manifest.layers)) continue
        const config = JSON.parse(
          (await client.getBlobBytes(repo, manifest.config.digest)).toString(
            'utf8'
          )
        ) as ImageConfig
        const history = (config.history ?? []).filter(h => !h.empty_layer)
        const diffIds = config.rootfs?.diff_ids ?? []
        if (diffIds.length !== manifest.layers.length) continue
        for (
          let k = 1;
          k <= Math.min(history.length, manifest.layers.length);
          k++
        ) {
          const comment = history[history.length - k].comment ?? ''
          if (!comment.startsWith('imprint, ')) continue
          const diffId = diffIds[diffIds.length - k]
          if (!map.has(diffId)) {
            map.set(diffId, {
              descriptor: manifest.layers[manifest.layers.length - k],
              compressor: comment.slice('imprint, '.length),
              from: `${repo}:${tag}`
            })
          }
        }
      }
    } catch (error) {
      log.debug(
        `previous image ${repo}:${tag} not usable for layer reuse: ${(error as Error).message}`
      )
    }
  }
  return map
}

/**
 * A lookup for the layer stage: a hit must come from the same compressor settings (so the blob is
 * what a full build would write), still exist, and decompress to the diffID (so a wrong entry
 * cannot slip through). Anything else is a miss, and the layer is built in full.
 */
export function reuseLookup(
  client: RegistryClient,
  repo: Repository,
  map: Map<Digest, Candidate>,
  compressor: string,
  log: Logger
): (diffId: Digest) => Promise<Blob | undefined> {
  return async diffId => {
    const candidate = map.get(diffId)
    if (!candidate) return undefined
    if (candidate.compressor !== compressor) {
      log.info(
        `${diffId.slice(0, 19)}: ${candidate.from} wrote it with ${candidate.compressor}, not ${compressor}; building`
      )
      return undefined
    }
    const { descriptor } = candidate
    try {
      const actual = await diffIdOfBlob(
        await client.getBlob(repo, descriptor.digest),
        descriptor.mediaType
      )
      if (actual !== diffId) {
        log.warning(
          `${candidate.from} pairs ${descriptor.digest} with diffID ${diffId}, but it decompresses to ${actual}; building the layer instead`
        )
        return undefined
      }
    } catch (error) {
      log.info(
        `${descriptor.digest} from ${candidate.from} cannot be reused (${(error as Error).message}); building`
      )
      return undefined
    }
    return {
      descriptor: {
        mediaType: descriptor.mediaType,
        digest: descriptor.digest,
        size: descriptor.size
      },
      origin: repo,
      open: offset => client.getBlob(repo, descriptor.digest, offset),
      built: {
        diffId,
        uncompressedSize: 0,
        source: '',
        destination: '',
        compressor,
        reusedFrom: candidate.from
      }
    }
  }
}

/**
 * Layers unchanged since a previous image (the parent commit's, the PR base's) are not compressed
 * again: their tar is hashed and the previous blob reused, after checking it.
 */
export async function reuseFromPrevious(
  inputs: Inputs,
  context: BuildContext,
  registries: Registries,
  log: Logger
): Promise<((diffId: Digest) => Promise<Blob | undefined>) | undefined> {
  // Only templates that name the commit tell which tag a previous commit's image has.
  const templates = inputs.tags.filter(t =>
    /\{\{\s*(sha|short_sha)\s*\}\}/.test(t)
  )
  const tags = context.previousCommits.flatMap(sha => {
    try {
      return renderTags(templates, { ...context, sha })
    } catch {
      return []
    }
  })
  if (tags.length === 0) return undefined
  const client = registries.client(inputs.image.registry)
  const map = await previousLayers(client, inputs.image, tags, log)
  if (map.size === 0) return undefined
  log.info(
    `layer reuse: ${map.size} layers known from ${tags.length} previous image tags`
  )
  return reuseLookup(
    client,
    inputs.image,
    map,
    compressorId(inputs.compression),
    log
  )
}
