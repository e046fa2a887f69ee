import type { Digest } from '../oci/digest'
import type { Artifact } from '../oci/image'
import type { Repository } from '../oci/reference'

/** One layer as a layer map remembers it: enough to find and check its blob again. */
export interface LayerRecord {
  diffId: Digest
  digest: Digest
  size: number
  mediaType: string
  compressor: string
}

/**
 * Somewhere a repository's layer map outlives the job (the Actions cache). It holds only these
 * small records; the layers themselves stay in the registry.
 */
export interface LayerMapStore {
  /** Names the store in logs. */
  readonly name: string
  load(repository: Repository): Promise<LayerRecord[]>
  /** False when the store declined and has said why. */
  save(
    repository: Repository,
    records: readonly LayerRecord[]
  ): Promise<boolean>
}

/** How many layers a stored map keeps: enough for many images' worth of history, still tiny. */
export const storedLayerLimit = 256

/**
 * The map to store after a push: this run's layers first, then what the store held, newest
 * first and bounded. Undefined when it would not change, so unchanged builds write nothing.
 */
export function nextLayerMap(
  artifact: Artifact,
  stored: readonly LayerRecord[]
): LayerRecord[] | undefined {
  const images = artifact.kind === 'index' ? artifact.images : [artifact]
  const records = new Map<Digest, LayerRecord>()
  for (const image of images) {
    for (const layer of image.layers) {
      if (!layer.built || records.has(layer.built.diffId)) continue
      records.set(layer.built.diffId, {
        diffId: layer.built.diffId,
        digest: layer.descriptor.digest,
        size: layer.descriptor.size,
        mediaType: layer.descriptor.mediaType,
        compressor: layer.built.compressor
      })
    }
  }
  const known = new Set(stored.map(r => `${r.diffId} ${r.digest}`))
  if ([...records.values()].every(r => known.has(`${r.diffId} ${r.digest}`)))
    return undefined
  for (const record of stored)
    if (!records.has(record.diffId)) records.set(record.diffId, record)
  return [...records.values()].slice(0, storedLayerLimit)
}
