import { join } from 'node:path'
import { collectEntries } from '../layer/collect'
import { readsAhead, type TarEntry } from '../layer/tar'
import { dropWarmReader } from '../layer/read-ahead'
import {
  namesPlatform,
  sourceForPlatform,
  type LayerSpec
} from '../layer/layer-spec'
import {
  compressorId,
  tarDigest,
  writeLayer,
  type Compression
} from '../layer/layer'
import type { IgnorePattern } from '../layer/ignore'
import type { Digest } from '../oci/digest'
import { InputError } from '../errors'
import { GrowingFile } from '../layer/growing-file'
import type { BlobObserver } from '../layer/observer'
import { fileBlob, type Blob } from '../oci/image'
import type { Platform } from '../oci/types'
import type { Logger } from '../util/log'
import { formatBytes } from '../util/format'
import { mapBounded } from '../util/pool'

export interface LayerBuildOptions {
  workingDirectory: string
  scratchDir: string
  mtime: number
  uid: number
  gid: number
  jobs: number
  compression: Compression
  /** The `exclude` input, applied to every directory source (before its `.imprintignore`). */
  exclude?: readonly IgnorePattern[]
  /**
   * Finds an already-pushed blob with this diffID (written with the same compressor): the layer's
   * tar is then hashed but not compressed.
   */
  reuse?: (diffId: Digest, size: number) => Promise<Blob | undefined>
  /** Told before a layer is hashed, so that its likely previous blob is checked meanwhile. */
  expectReuse?: (
    source: string,
    destination: string
  ) => (actual?: Digest) => void
  /** Hears of blobs as they come to exist; base layers once every source is checked. */
  observer?: BlobObserver
  /** Blobs that exist before any layer is built (the base's), announced once sources check out. */
  existing?: readonly Blob[]
  /** Content size from which a large layer is announced as growing (default 32 MiB). */
  followFrom?: number
  /** Listings already under way (from the start of the run); else the sources are listed here. */
  listing?: SourceListing
  log: Logger
}

/** One `layers` line (its source for one platform) as a key: lines are built and listed once. */
function keyOf(source: string, destination: string): string {
  return `${source}\0${destination}`
}

/** A source's entries, with what its listing had to say (told in the layer stage's log). */
interface Listed {
  entries: TarEntry[]
  warnings: string[]
  /** Paths the exclude patterns left out. */
  excluded: string[]
}

/**
 * The listings of the run's sources, each made once: `startEarly` begins those of lines that name
 * no platform when the run starts, beside its git and registry questions (they do not depend on
 * the base), and the layer stage takes them (or lists the rest) when it gets there.
 */
export class SourceListing {
  private readonly lists = new Map<string, Promise<Listed>>()
  private readonly stopped = new AbortController()

  constructor(
    private readonly options: {
      workingDirectory: string
      exclude?: readonly IgnorePattern[]
      /** Directories get entries (a layer owner other than root): see `collectEntries`. */
      ownDestination: boolean
      /** Directories Imprint writes (the OCI layout), never listed. */
      skip?: readonly string[]
    }
  ) {}

  /** Starts listing every line without platform placeholders. */
  startEarly(specs: readonly LayerSpec[]): this {
    for (const spec of specs)
      if (!namesPlatform(spec.source))
        // Failures are for the layer stage to report, once it asks.
        this.list(spec.source, spec.destination).catch(() => {})
    return this
  }

  /** The entries of one line's source, listed now or earlier. */
  list(source: string, destination: string): Promise<Listed> {
    const key = keyOf(source, destination)
    let listing = this.lists.get(key)
    if (!listing) {
      const warnings: string[] = []
      const excluded: string[] = []
      listing = collectEntries(
        this.options.workingDirectory,
        source,
        destination,
        warning => warnings.push(warning),
        {
          ownDestination: this.options.ownDestination,
          exclude: this.options.exclude,
          excluded: path => excluded.push(path),
          skip: this.options.skip,
          signal: this.stopped.signal
        }
      ).then(entries => ({ entries, warnings, excluded }))
      this.lists.set(key, listing)
    }
    return listing
  }

  /** Stops listings still under way (the run ended without needing them). */
  stop(): void {
    this.stopped.abort(new Error('the run ended'))
  }
}

/**
 * Builds one layer per `layers` line for each platform. A line without platform placeholders gives
 * the same bytes for every platform and is built once.
 */
export async function buildLayers(
  specs: readonly LayerSpec[],
  platforms: readonly Platform[],
  options: LayerBuildOptions
): Promise<BuiltLayers> {
  const jobs: { source: string; destination: string }[] = []
  const perPlatform = platforms.map(platform =>
    specs.map(spec => {
      const source = sourceForPlatform(spec.source, platform)
      const key = keyOf(source, spec.destination)
      if (!jobs.some(j => keyOf(j.source, j.destination) === key))
        jobs.push({ source, destination: spec.destination })
      return key
    })
  )

  // The previous image's blob of a line is checked (downloaded and decompressed) while its layer
  // is hashed: told the diffID, a check whose layer changed stops. The first `jobs` lines' checks
  // start once their source is listed, the others' when their layer's turn comes (as many at once
  // as layers are built). Not before: the check's decompression runs on this thread, and beside
  // the walk it delayed the listing, which every read of the layer waits for, by as much; while
  // the layer is read, this thread mostly waits for the reader.
  const expect = (i: number) =>
    options.reuse
      ? options.expectReuse?.(jobs[i].source, jobs[i].destination)
      : undefined
  const hashed: (((actual?: Digest) => void) | undefined)[] = []
  // Every source is checked before any layer is written, so a typo fails fast.
  const ownListing = options.listing
    ? undefined
    : new SourceListing({
        workingDirectory: options.workingDirectory,
        exclude: options.exclude,
        ownDestination: options.uid !== 0 || options.gid !== 0
      })
  const listing = options.listing ?? ownListing!
  let failed = false
  const listed = await Promise.all(
    jobs.map((job, i) =>
      listing.list(job.source, job.destination).then(
        found => {
          if (i < options.jobs && !failed) hashed[i] ??= expect(i)
          return found
        },
        error => {
          failed = true
          for (const stop of hashed) stop?.()
          ownListing?.stop()
          // A bad .imprintignore names its own input (exclude).
          if (error instanceof InputError) throw error
          throw new InputError(
            'layers',
            `${(error as Error).message} (line "${job.source}:${job.destination}")`
          )
        }
      )
    )
  )
  // Told here, in this stage's log, whenever the listing ran.
  listed.forEach(({ warnings, excluded }, i) => {
    for (const warning of warnings) options.log.warning(warning)
    for (const path of excluded)
      options.log.debug(`${jobs[i].source}: excluded ${path}`)
  })
  const entryLists = listed.map(l => l.entries)
  const excludedCounts = listed.map(l => l.excluded.length)
  if (!entryLists.some(readsAhead)) dropWarmReader()

  for (const blob of options.existing ?? []) options.observer?.blob(blob)

  const compressor = compressorId(options.compression)
  const tarOptions = {
    mtime: options.mtime,
    uid: options.uid,
    gid: options.gid
  }
  // Layers finish in any order; the log tells them in the image's order, each once those before it
  // have been told.
  const told: (string | undefined)[] = []
  let tellNext = 0
  const tell = (i: number, line: string): void => {
    told[i] = line
    while (told[tellNext] !== undefined) options.log.info(told[tellNext++]!)
  }
  const built = await mapBounded(jobs, options.jobs, async (job, i) => {
    const where = { source: job.source, destination: job.destination }
    if (options.reuse) {
      hashed[i] ??= expect(i)
      const { diffId, size } = await tarDigest(entryLists[i], tarOptions).catch(
        error => {
          hashed[i]?.()
          throw error
        }
      )
      hashed[i]?.(diffId)
      const previous = await options.reuse(diffId, size)
      if (previous) {
        tell(
          i,
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
      options.observer && contentSize >= (options.followFrom ?? 32 << 20)
        ? new GrowingFile(path)
        : undefined
    if (growing)
      options.observer!.growing(growing, `${job.source} → ${job.destination}`)
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
    const left = excludedCounts[i]
    tell(
      i,
      `${job.source} → ${job.destination}: ${layer.entries} entries${left ? ` (${left} excluded)` : ''}, ${layer.digest} (${formatBytes(layer.size)})`
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
    if (!growing) options.observer?.blob(blob)
    return blob
  }).catch(error => {
    // A failed build needs no check of a previous blob any more.
    for (const stop of hashed) stop?.()
    throw error
  })
  const byKey = new Map(
    jobs.map((job, i) => [keyOf(job.source, job.destination), built[i]])
  )
  return {
    layers: perPlatform.map(keys => keys.map(key => byKey.get(key) as Blob)),
    contents: new Map(
      built.map((blob, i) => [blob.built!.diffId, entryLists[i]])
    )
  }
}

/** The built layers per platform, and what each holds (by diffID), for the SBOM. */
export interface BuiltLayers {
  layers: Blob[][]
  contents: Map<Digest, TarEntry[]>
}
