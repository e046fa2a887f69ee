import { createHash } from 'node:crypto'
import {
  compressorId,
  diffIdOfBlob,
  layerMediaType,
  type DecompressBounds
} from '../layer/layer'
import type { Inputs } from '../inputs'
import type { Registries } from '../registry/registries'
import type { ResolvedBase } from './base'
import type { BuildContext } from './context'
import { renderTags } from './tags'
import type { Digest } from '../oci/digest'
import type { Artifact, Blob } from '../oci/image'
import type { Repository } from '../oci/reference'
import type { Descriptor } from '../oci/types'
import type { RegistryClient } from '../registry/client'
import { readRemote } from '../registry/remote-image'
import type { Logger } from '../util/log'
import {
  nextLayerMap,
  type LayerMapStore,
  type LayerRecord
} from '../cache/layer-map'

export interface Candidate {
  descriptor: Descriptor
  compressor: string
  from: string
  /** What the previous image's history says the layer was made of (`imprint: SOURCE → DEST`). */
  madeFrom?: string
}

/**
 * The diffID → blob map of previous images of the same repository (e.g. the parent commit's):
 * each config's `diff_ids` paired with its manifest's layers, counted from the end, where our
 * layers are, and kept only for layers whose history names the compressor settings.
 */
async function previousLayers(
  client: RegistryClient,
  repo: Repository,
  tags: readonly string[],
  /** Why an image was not usable, for the debug log of the reuse stage. */
  notes: string[]
): Promise<Map<Digest, Candidate>> {
  const map = new Map<Digest, Candidate>()
  // Read at once; the map is filled in the tags' order (the newest commit's first).
  const remotes = tags.map(tag =>
    readRemote(client, repo, tag).then(
      remote => ({ remote }),
      (error: Error) => ({ error })
    )
  )
  for (const [i, tag] of tags.entries()) {
    const read = await remotes[i]
    try {
      if ('error' in read) throw read.error
      const { remote } = read
      for (const image of remote?.images ?? []) {
        const { manifest, config } = image
        const history = (config.history ?? []).filter(h => !h.empty_layer)
        const diffIds = config.rootfs?.diff_ids ?? []
        if (diffIds.length !== manifest.layers.length) continue
        for (
          let k = 1;
          k <= Math.min(history.length, manifest.layers.length);
          k++
        ) {
          const entry = history[history.length - k]
          const comment = entry.comment ?? ''
          if (!comment.startsWith('imprint, ')) continue
          const diffId = diffIds[diffIds.length - k]
          if (!map.has(diffId)) {
            map.set(diffId, {
              descriptor: manifest.layers[manifest.layers.length - k],
              compressor: comment.slice('imprint, '.length),
              from: `${repo}:${tag}`,
              madeFrom: entry.created_by
            })
          }
        }
      }
    } catch (error) {
      notes.push(
        `previous image ${repo}:${tag} not usable for layer reuse: ${(error as Error).message}`
      )
    }
  }
  return map
}

/** The previous commits' images, read: which tags were asked, and what their layers are. */
export interface PreviousImages {
  tags: string[]
  layers: Promise<Map<Digest, Candidate>>
  notes: string[]
}

/**
 * Starts reading the images of earlier commits (nothing is logged): the tags that name a commit,
 * rendered for the previous commits. Where a tag also names the base's digest, they are known only
 * once the base is resolved, and reading starts then.
 */
export function readPreviousImages(
  inputs: Pick<Inputs, 'image' | 'tags' | 'push' | 'mergeDigests'>,
  context: BuildContext,
  registries: Registries,
  base?: ResolvedBase
): PreviousImages | undefined {
  // Only a build that pushes can reuse pushed layers.
  if (!inputs.push || inputs.mergeDigests.length > 0) return undefined
  // Only templates that name the commit tell which tag a previous commit's image has.
  const templates = inputs.tags.filter(t =>
    /\{\{\s*(sha|short_sha)\s*\}\}/.test(t)
  )
  if (!base && templates.some(t => /\{\{\s*base_digest\s*\}\}/.test(t)))
    return undefined
  const tags = context.previousCommits.flatMap(sha => {
    try {
      // Earlier commits' images on the same base, where a template names it.
      return renderTags(
        templates,
        { ...context, sha },
        { baseDigest: base?.digest }
      ).tags
    } catch {
      return []
    }
  })
  const notes: string[] = []
  const layers =
    tags.length > 0
      ? previousLayers(
          registries.client(inputs.image.registry),
          inputs.image,
          tags,
          notes
        )
      : Promise.resolve(new Map<Digest, Candidate>())
  return { tags, layers, notes }
}

/**
 * A lookup for the layer stage: a hit must come from the same compressor settings and media type
 * (so the blob is what a full build would write), still exist with the recorded digest and size,
 * and decompress to the diffID (so a wrong entry cannot slip through). Anything else is a miss,
 * and the layer is built in full.
 *
 * Checking a blob means downloading and decompressing it, as long as hashing the layer takes. So
 * `expect` starts the check of the previous image's layer made from the same line while the layer
 * is hashed (this thread mostly waits for the file reader then), and `lookup` of that diffID waits
 * for the check already under way. A layer that did change stops its check once it is hashed: it
 * wasted part of one decompression.
 */
export function reuseLookup(
  client: RegistryClient,
  repo: Repository,
  map: Map<Digest, Candidate>,
  written: { compressor: string; mediaType: string },
  log: Logger
): Pick<LayerReuse, 'lookup' | 'expect'> {
  const checks = new Map<
    Digest,
    {
      result: Promise<Blob | undefined>
      cancel: () => void
      /**
       * A lookup waits for the check: a line that changed no longer stops it, and the blob may
       * decompress to no more than the tar the layer hashed to (`size`).
       */
      join: (size?: number) => void
    }
  >()
  const check = (diffId: Digest) => {
    let started = checks.get(diffId)
    if (!started) {
      let cancelled = false
      let wanted = false
      let most: number | undefined
      started = {
        result: checkCandidate(client, repo, map, written, log, diffId, {
          cancelled: () => cancelled,
          most: () => most
        }),
        join: size => {
          wanted = true
          most = size ?? most
        },
        cancel: () => {
          if (wanted) return
          cancelled = true
          // A later lookup starts afresh (a check of its own, not this stopped one).
          if (checks.get(diffId) === started) checks.delete(diffId)
        }
      }
      checks.set(diffId, started)
    }
    return started
  }
  return {
    lookup: (diffId, size) => {
      const started = check(diffId)
      started.join(size)
      return started.result
    },
    expect(source, destination) {
      const madeFrom = `imprint: ${source} → ${destination}`
      for (const [diffId, candidate] of map)
        if (
          candidate.madeFrom === madeFrom &&
          candidate.compressor === written.compressor &&
          candidate.descriptor.mediaType === written.mediaType
        ) {
          const started = check(diffId)
          // The layer changed (or could not be hashed): its old blob is not read to the end.
          return actual => {
            if (actual !== diffId) started.cancel()
          }
        }
      return () => {}
    }
  }
}

/** Whether the blob recorded for `diffId` may be reused: see `reuseLookup`. */
async function checkCandidate(
  client: RegistryClient,
  repo: Repository,
  map: Map<Digest, Candidate>,
  written: { compressor: string; mediaType: string },
  log: Logger,
  diffId: Digest,
  bounds: DecompressBounds = {}
): Promise<Blob | undefined> {
  const cancelled = bounds.cancelled ?? (() => false)
  const { compressor, mediaType } = written
  const candidate = map.get(diffId)
  if (!candidate) return undefined
  const { descriptor } = candidate
  if (
    candidate.compressor !== compressor ||
    descriptor.mediaType !== mediaType
  ) {
    log.info(
      `${diffId.slice(0, 19)}: ${candidate.from} wrote it with ${candidate.compressor} as ${descriptor.mediaType}, not ${compressor} as ${mediaType}; building`
    )
    return undefined
  }
  try {
    const hash = createHash('sha256')
    let size = 0
    async function* counted(
      source: AsyncIterable<Uint8Array>
    ): AsyncIterable<Uint8Array> {
      for await (const chunk of source) {
        if (cancelled()) throw new Error('no longer needed')
        hash.update(chunk)
        size += chunk.length
        if (size > descriptor.size)
          throw new Error(
            `the registry serves more than ${descriptor.size} bytes`
          )
        yield chunk
      }
    }
    // Lent chunks: each is hashed and decompressed before the next is read into its memory.
    const actual = await diffIdOfBlob(
      counted(await client.getBlob(repo, descriptor.digest, { lent: true })),
      descriptor.mediaType,
      bounds
    )
    const digest = `sha256:${hash.digest('hex')}`
    if (digest !== descriptor.digest || size !== descriptor.size) {
      log.warning(
        `${candidate.from} records ${descriptor.digest} (${descriptor.size} bytes), but the registry served ${digest} (${size} bytes); building the layer instead`
      )
      return undefined
    }
    if (actual !== diffId) {
      log.warning(
        `${candidate.from} pairs ${descriptor.digest} with diffID ${diffId}, but it decompresses to ${actual}; building the layer instead`
      )
      return undefined
    }
  } catch (error) {
    if (cancelled()) return undefined
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
    open: offset => client.getBlob(repo, descriptor.digest, { offset }),
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

/** What a build may reuse, and what the stored map held, so the new map can extend it. */
export interface LayerReuse {
  /** The blob to reuse for a layer that hashed to `diffId` (a tar of `size` bytes), if any. */
  lookup?: (diffId: Digest, size?: number) => Promise<Blob | undefined>
  /**
   * Says which line a layer will be built for, before it is hashed: its likely previous blob is
   * checked meanwhile. Call what it returns with the diffID the layer hashed to (undefined
   * on failure): a check nobody needs is stopped.
   */
  expect?: (source: string, destination: string) => (actual?: Digest) => void
  stored: LayerRecord[]
}

/**
 * Layers unchanged since a previous image are not compressed again: their tar is hashed and the
 * previous blob reused, after checking it. The map comes from previous commits' images (the push's
 * previous head, the PR base, parents) and, second, from a stored map (the Actions cache), which
 * also knows layers of images whose tags do not name the commit.
 */
export async function layerReuse(
  inputs: Pick<
    Inputs,
    'image' | 'tags' | 'compression' | 'push' | 'mergeDigests'
  >,
  context: BuildContext,
  base: ResolvedBase,
  registries: Registries,
  store: LayerMapStore | undefined,
  log: Logger,
  /** The reading `readPreviousImages` began before the base was resolved, if it could. */
  previous?: PreviousImages
): Promise<LayerReuse | undefined> {
  const reading =
    previous ?? readPreviousImages(inputs, context, registries, base)
  if (!reading) return undefined
  return log.group('Layer reuse', () =>
    findReusableLayers(inputs, reading, registries, store, log)
  )
}

async function findReusableLayers(
  inputs: Pick<Inputs, 'image' | 'compression'>,
  previous: PreviousImages,
  registries: Registries,
  store: LayerMapStore | undefined,
  log: Logger
): Promise<LayerReuse> {
  const client = registries.client(inputs.image.registry)
  const [map, stored] = await Promise.all([
    previous.layers,
    store ? loadStored(store, inputs.image, log) : []
  ])
  for (const note of previous.notes) log.debug(note)
  const { tags } = previous
  const fromImages = map.size
  for (const record of stored) {
    if (!map.has(record.diffId)) {
      map.set(record.diffId, {
        descriptor: {
          mediaType: record.mediaType,
          digest: record.digest,
          size: record.size
        },
        compressor: record.compressor,
        from: store!.name
      })
    }
  }
  if (map.size === 0) {
    log.info(
      'no earlier image of this repository is known: every layer is built'
    )
    return { stored }
  }
  const plural = (n: number, what: string) =>
    `${n} ${what}${n === 1 ? '' : 's'}`
  log.info(
    `${plural(fromImages, 'layer')} known from ${plural(tags.length, 'earlier image')} (tagged with earlier commits)` +
      (store ? `, ${map.size - fromImages} more from ${store.name}` : '')
  )
  return {
    ...reuseLookup(
      client,
      inputs.image,
      map,
      {
        compressor: compressorId(inputs.compression),
        mediaType: layerMediaType(inputs.compression)
      },
      log
    ),
    stored
  }
}

async function loadStored(
  store: LayerMapStore,
  repository: Repository,
  log: Logger
): Promise<LayerRecord[]> {
  try {
    return await store.load(repository)
  } catch (error) {
    log.warning(
      `${store.name}: layer map not read (${(error as Error).message}); layers without a previous image are built in full`
    )
    return []
  }
}

/** Stores the new map; a failure only costs the next build its shortcut, so it is a warning. */
export async function rememberLayers(
  store: LayerMapStore,
  repository: Repository,
  artifact: Artifact,
  stored: readonly LayerRecord[],
  log: Logger
): Promise<void> {
  const next = nextLayerMap(artifact, stored)
  if (!next) {
    log.info(`${store.name}: layer map unchanged, not saved again`)
    return
  }
  try {
    if (await store.save(repository, next))
      log.info(`${store.name}: layer map saved (${next.length} layers)`)
  } catch (error) {
    log.warning(
      `${store.name}: layer map not saved (${(error as Error).message})`
    )
  }
}
