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

/** All a scan keeps (256 MiB): files read whole and the parts of executables, together. */
export const defaultScanBudget = 256 * 1024 * 1024

/**
 * How many bytes scans may still keep. One budget can be shared by several scans (the layers of
 * one image); once it is used up, further files are skipped with a warning.
 */
export class ScanBudget {
  remaining: number
  constructor(readonly limit: number = defaultScanBudget) {
    this.remaining = limit
  }

  /** Takes `bytes` if they are left. */
  take(bytes: number): boolean {
    if (bytes > this.remaining) return false
    this.remaining -= bytes
    return true
  }
}

export interface ScanOptions {
  catalogers?: readonly Cataloger[]
  /** Largest file read whole; bigger ones are skipped with a warning. */
  maxFileSize?: number
  /** What is kept of each executable. */
  elfLimits?: ElfLimits
  /** What the scan may keep in all (shared with other scans, or its own of `defaultScanBudget`). */
  budget?: ScanBudget
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
  /** Paths it writes as something else than a directory: all below them in lower layers is hidden too. */
  nonDirectories: Set<string>
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
  const budget = options.budget ?? new ScanBudget()
  const warn = options.warn ?? (() => {})
  const overBudget = (path: string, bytes: number) =>
    warn(
      `${layer}: ${path}: ${bytes} bytes not kept, the ${budget.limit}-byte budget of what the scan keeps is used up`
    )
  const scan: LayerScan = {
    layer,
    kept: new Map(),
    paths: new Set(),
    nonDirectories: new Set(),
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
    if (header.type === 'dir') scan.nonDirectories.delete(header.path)
    else scan.nonDirectories.add(header.path)
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
      if (!budget.take(header.size)) {
        overBudget(header.path, header.size)
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
          if (!elf) return
          if (!budget.take(collector.keptBytes))
            overBudget(header.path, collector.keptBytes)
          else scan.kept.set(header.path, { ...file, elf })
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

/** What a layer does to the file system below it, and the files of it catalogers read. */
export interface LayerView<T> {
  /** Every path the layer writes (any type): each hides what lower layers had there. */
  paths: ReadonlySet<string>
  /** Paths it writes as something else than a directory: all below them in lower layers is hidden. */
  nonDirectories: ReadonlySet<string>
  whiteouts: readonly string[]
  opaque: readonly string[]
  files: ReadonlyMap<string, T>
}

/**
 * Whether a layer hides a lower layer's `path`: it writes that path, deletes it or a directory
 * above it (whiteout), makes a directory above it opaque, or puts a file or link where a directory
 * above it was (as the runtime's overlay does).
 */
function hidden(
  layer: LayerView<unknown>,
  whiteouts: Set<string>,
  opaque: Set<string>,
  path: string
): boolean {
  if (layer.paths.has(path) || whiteouts.has(path)) return true
  let dir = path
  for (;;) {
    const slash = dir.lastIndexOf('/')
    dir = slash < 0 ? '' : dir.slice(0, slash)
    if (opaque.has(dir)) return true
    if (dir === '') return false
    if (whiteouts.has(dir) || layer.nonDirectories.has(dir)) return true
  }
}

/** The files an image's layers leave visible, lowest layer first, sorted by path. */
export function mergeViews<T>(layers: readonly LayerView<T>[]): T[] {
  const view = new Map<string, T>()
  for (const layer of layers) {
    const whiteouts = new Set(layer.whiteouts)
    const opaque = new Set(layer.opaque)
    for (const path of [...view.keys()]) {
      if (hidden(layer, whiteouts, opaque, path)) view.delete(path)
    }
    for (const [path, file] of layer.files) view.set(path, file)
  }
  return [...view.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map(path => view.get(path)!)
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
 * any entry of a higher layer replaces a lower file at the same path, and a file or link of a
 * higher layer hides all a lower layer had below that path.
 */
export function mergeLayers(scans: LayerScan[]): FileSource[] {
  return mergeViews(scans.map(scanView)).map(keptSource)
}

/** A scan as a layer view of its kept files. */
export function scanView(scan: LayerScan): LayerView<KeptFile> {
  return { ...scan, files: scan.kept }
}

/** Catalogs an image from its layers' scans, lowest first. */
export async function catalogLayers(
  scans: LayerScan[],
  options: CatalogOptions = {}
): Promise<CatalogResult> {
  return catalog(mergeLayers(scans), options)
}
