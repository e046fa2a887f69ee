import {
  catalog,
  defaultCatalogers,
  readMode,
  type CatalogOptions,
  type CatalogResult
} from './catalog'
import { defaultElfLimits, ElfCollector, type ElfLimits } from './elf-collector'
import { basename, dirname } from './text'
import { decompressLayer, TarParser } from './tar'
import type { Cataloger, ElfView, FileSource } from './types'

/** Files read whole are skipped above this size (64 MiB): no package database comes near it. */
export const defaultMaxFileSize = 64 * 1024 * 1024

export interface ScanOptions {
  catalogers?: readonly Cataloger[]
  /** Largest file read whole; bigger ones are skipped with a warning. */
  maxFileSize?: number
  /** What is kept of each executable. */
  elfLimits?: ElfLimits
  warn?(message: string): void
}

/** A file a layer holds that some cataloger reads: its content, or what was kept of an executable. */
export interface KeptFile {
  path: string
  size: number
  mode: number
  layer: string
  data?: Buffer
  elf?: ElfView
}

/** What one layer contributes to an image's file system, as far as the catalogers are concerned. */
export interface LayerScan {
  layer: string
  /** The files catalogers read, by path. */
  kept: Map<string, KeptFile>
  /** Every path the layer writes (any type): each hides what lower layers had there. */
  paths: Set<string>
  /** `.wh.NAME` entries: NAME (and all below it) is deleted from lower layers. */
  whiteouts: string[]
  /** `.wh..wh..opq` entries: the directory's lower-layer contents are hidden. */
  opaque: string[]
}

const whiteoutPrefix = '.wh.'
const opaqueMarker = '.wh..wh..opq'

/**
 * Reads one layer blob (gzip, zstd or plain tar) as a stream and keeps only the entries a
 * cataloger reads: whole files up to `maxFileSize`, and the needed parts of executables. It also
 * records the layer's whiteouts and paths, for `mergeLayers`. Layers can be scanned in any order
 * and at the same time (each as soon as its blob arrives); only the merge needs their order.
 */
export async function scanLayer(
  blob: AsyncIterable<Buffer> | Iterable<Buffer>,
  layer: string,
  options: ScanOptions = {}
): Promise<LayerScan> {
  const catalogers = options.catalogers ?? defaultCatalogers
  const maxFileSize = options.maxFileSize ?? defaultMaxFileSize
  const warn = options.warn ?? (() => {})
  const scan: LayerScan = {
    layer,
    kept: new Map(),
    paths: new Set(),
    whiteouts: [],
    opaque: []
  }
  const parser = new TarParser(header => {
    const name = basename(header.path)
    if (name.startsWith(whiteoutPrefix)) {
      const dir = dirname(header.path)
      if (name === opaqueMarker) scan.opaque.push(dir)
      else
        scan.whiteouts.push(
          (dir ? dir + '/' : '') + name.slice(whiteoutPrefix.length)
        )
      return undefined
    }
    if (header.path === '') return undefined
    scan.paths.add(header.path)
    scan.kept.delete(header.path) // a later entry for the same path wins
    const file = {
      path: header.path,
      size: header.size,
      mode: header.mode,
      layer
    }
    if (header.type === 'hardlink') {
      // The target is an earlier entry of this layer: share what was kept of it.
      const target = scan.kept.get(header.linkname)
      if (target) scan.kept.set(header.path, { ...target, path: header.path })
      return undefined
    }
    if (header.type !== 'file') return undefined
    const mode = readMode(header.path, header.mode, catalogers)
    if (mode === 'whole') {
      if (header.size > maxFileSize) {
        warn(
          `${layer}: ${header.path}: ${header.size} bytes is over the ${maxFileSize}-byte limit, not read`
        )
        return undefined
      }
      const parts: Buffer[] = []
      return {
        data: chunk => parts.push(chunk),
        // Copy out of the stream's chunks so a small file does not hold a large chunk alive.
        end: () =>
          scan.kept.set(header.path, { ...file, data: Buffer.concat(parts) })
      }
    }
    if (mode === 'elf') {
      const collector = new ElfCollector(
        header.size,
        options.elfLimits ?? defaultElfLimits
      )
      return {
        data: chunk => collector.push(chunk),
        end: () => {
          const elf = collector.finish()
          if (elf) scan.kept.set(header.path, { ...file, elf })
        }
      }
    }
    return undefined
  })
  try {
    for await (const chunk of decompressLayer(blob)) parser.write(chunk)
    parser.end()
  } catch (error) {
    // The layer is named: a base has several, and one unreadable layer is reported on its own.
    throw new Error(`${layer}: ${(error as Error).message}`, { cause: error })
  }
  return scan
}

/** Whether a layer's whiteouts or opaque directories hide a lower layer's `path`. */
function hidden(
  scan: LayerScan,
  whiteouts: Set<string>,
  opaque: Set<string>,
  path: string
): boolean {
  if (scan.paths.has(path) || whiteouts.has(path)) return true
  let dir = path
  for (;;) {
    const slash = dir.lastIndexOf('/')
    dir = slash < 0 ? '' : dir.slice(0, slash)
    if (opaque.has(dir) || (dir !== '' && whiteouts.has(dir))) return true
    if (dir === '') return false
  }
}

/** A kept file as a cataloger's FileSource. */
export function keptSource(file: KeptFile): FileSource {
  return {
    path: file.path,
    size: file.size,
    mode: file.mode,
    layer: file.layer,
    read: async () => {
      if (!file.data) throw new Error(`${file.path}: content was not kept`)
      return file.data
    },
    ...(file.elf ? { elf: async () => file.elf } : {})
  }
}

/**
 * The image's file system as the catalogers see it, from its layers' scans, lowest first: a
 * whiteout deletes a lower path and all below it, an opaque directory hides its lower contents,
 * and any entry of a higher layer replaces a lower file at the same path.
 */
export function mergeLayers(scans: LayerScan[]): FileSource[] {
  const view = new Map<string, KeptFile>()
  for (const scan of scans) {
    const whiteouts = new Set(scan.whiteouts)
    const opaque = new Set(scan.opaque)
    for (const path of [...view.keys()]) {
      if (hidden(scan, whiteouts, opaque, path)) view.delete(path)
    }
    for (const [path, file] of scan.kept) view.set(path, file)
  }
  return [...view.values()]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map(keptSource)
}

/** Catalogs an image from its layers' scans, lowest first. */
export async function catalogLayers(
  scans: LayerScan[],
  options: CatalogOptions = {}
): Promise<CatalogResult> {
  return catalog(mergeLayers(scans), options)
}
