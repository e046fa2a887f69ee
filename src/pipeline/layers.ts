import { join } from 'node:path'
import { collectEntries } from '../layer/collect'
import { sourceForPlatform, type LayerSpec } from '../layer/layer-spec'
import {
  compressorId,
  tarDigest,
  writeLayer,
  type Compression
} from '../layer/layer'
import type { Digest } from '../oci/digest'
import { InputError } from '../errors'
import { GrowingFile } from '../layer/growing-file'
import { fileBlob, type Blob } from '../oci/image'
import type { Platform } from '../oci/types'
import type { Logger } from '../util/log'
import { mapBounded } from '../util/pool'

export interface LayerBuildOptions {
  workingDirectory: string
  scratchDir: string
  mtime: number
  uid: number
  gid: number
  jobs: number
  compression: Compression
  /**
   * Finds an already-pushed blob with this diffID (written with the same compressor): the layer's
   * tar is then hashed but not compressed.
   */
  reuse?: (diffId: Digest) => Promise<Blob | undefined>
  /** Told once every source has been read and found usable: nothing can fail on input after. */
  onChecked?: () => void
  /** Told of each layer as soon as it is written, so its upload can start at once. */
  onWritten?: (blob: Blob) => void
  /**
   * Told of each large layer (see `followFrom`) before it is written, so its upload can follow
   * the file as it grows; such a layer is not passed to `onWritten`.
   */
  onGrowing?: (file: GrowingFile, name: string) => void
  /** Content size from which a layer is uploaded while it is written (default 32 MiB). */
  followFrom?: number
  log: Logger
}

/**
 * Builds one layer per `layers` line for each platform. A line without platform placeholders gives
 * the same bytes for every platform and is built once.
 */
export async function buildLayers(
  specs: readonly LayerSpec[],
  platforms: readonly Platform[],
  options: LayerBuildOptions
): Promise<Blob[][]> {
  const jobs: { source: string; destination: string }[] = []
  const keyOf = (source: string, destination: string): string =>
    `${source}\0${destination}`
  const perPlatform = platforms.map(platform =>
    specs.map(spec => {
      const source = sourceForPlatform(spec.source, platform)
      const key = keyOf(source, spec.destination)
      if (!jobs.some(j => keyOf(j.source, j.destination) === key))
        jobs.push({ source, destination: spec.destination })
      return key
    })
  )

  // Every source is checked before any layer is written, so a typo fails fast.
  const entryLists = await Promise.all(
    jobs.map(job =>
      collectEntries(
        options.workingDirectory,
        job.source,
        job.destination,
        options.log.warning
      ).catch(error => {
        throw new InputError(
          'layers',
          `${(error as Error).message} (line "${job.source}:${job.destination}")`
        )
      })
    )
  )

  options.onChecked?.()

  const compressor = compressorId(options.compression)
  const tarOptions = {
    mtime: options.mtime,
    uid: options.uid,
    gid: options.gid
  }
  const built = await mapBounded(jobs, options.jobs, async (job, i) => {
    const where = { source: job.source, destination: job.destination }
    if (options.reuse) {
      const { diffId, size } = await tarDigest(entryLists[i], tarOptions)
      const previous = await options.reuse(diffId)
      if (previous) {
        options.log.info(
          `${job.source} → ${job.destination}: unchanged (diffID ${diffId.slice(0, 19)}), reusing ${previous.descriptor.digest} from ${previous.built?.reusedFrom} without compressing`
        )
        return {
          ...previous,
          built: {
            ...previous.built!,
            diffId,
            uncompressedSize: size,
            ...where,
            compressor
          }
        }
      }
    }
    const path = join(options.scratchDir, `layer-${i}.blob`)
    const contentSize = entryLists[i].reduce(
      (n, e) => n + (e.type === 'file' ? e.size : 0),
      0
    )
    const growing =
      options.onGrowing && contentSize >= (options.followFrom ?? 32 << 20)
        ? new GrowingFile(path)
        : undefined
    if (growing)
      options.onGrowing!(growing, `${job.source} → ${job.destination}`)
    const layer = await writeLayer(
      entryLists[i],
      tarOptions,
      path,
      options.compression,
      growing && (bytes => growing.progress(bytes))
    ).catch((error: Error) => {
      growing?.fail(error)
      throw error
    })
    growing?.finish(layer.digest, layer.size)
    options.log.info(
      `${job.source} → ${job.destination}: ${layer.entries} entries, ${layer.digest} (${formatBytes(layer.size)})`
    )
    const blob = fileBlob(
      { mediaType: layer.mediaType, digest: layer.digest, size: layer.size },
      layer.path,
      {
        diffId: layer.diffId,
        uncompressedSize: layer.uncompressedSize,
        ...where,
        compressor
      }
    )
    if (!growing) options.onWritten?.(blob)
    return blob
  })
  const byKey = new Map(
    jobs.map((job, i) => [keyOf(job.source, job.destination), built[i]])
  )
  return perPlatform.map(keys => keys.map(key => byKey.get(key) as Blob))
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}
