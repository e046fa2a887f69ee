import { createHash, type Hash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import {
  Readable,
  Transform,
  Writable,
  type TransformCallback
} from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  constants as zlibConstants,
  createGzip,
  createGunzip,
  createZstdCompress,
  createZstdDecompress
} from 'node:zlib'
import type { Digest } from '../oci/digest'
import { MediaType } from '../oci/media-types'
import { letOthersRun } from '../util/slices'
import { tarHash, tarStream, type TarEntry, type TarOptions } from './tar'

/** gzip level 6 (zlib's default) is pinned: a different level gives different bytes and digests. */
const gzipLevel = 6
/** zstd level 3 (zstd's default), single-threaded so the output does not depend on scheduling. */
const zstdLevel = 3

export type Compression = 'gzip' | 'zstd'

/**
 * Names the compressor settings in each layer's history entry. A previous image's layer is only
 * reused for a diffID when it was written with the same settings, so a reused layer has the
 * digest a full build would give.
 */
export function compressorId(compression: Compression): string {
  return compression === 'gzip'
    ? `gzip level ${gzipLevel}`
    : `zstd level ${zstdLevel}`
}

export function layerMediaType(compression: Compression): string {
  return compression === 'gzip'
    ? MediaType.ociLayerGzip
    : MediaType.ociLayerZstd
}

function compressor(compression: Compression): Transform {
  if (compression === 'zstd') {
    return createZstdCompress({
      params: {
        [zlibConstants.ZSTD_c_compressionLevel]: zstdLevel,
        [zlibConstants.ZSTD_c_checksumFlag]: 1
      }
    })
  }
  // zlib writes a gzip header without name and with mtime 0, so only the level matters.
  return createGzip({ level: gzipLevel, chunkSize: 64 * 1024 })
}

/**
 * Output per decompression step. Each step runs on this thread, into one reused buffer (see
 * `Decompressor`), and the thread is let go between steps now and then (`letOthersRun`).
 */
const decompressChunk = 1024 * 1024

/** A decompressing stream for a layer media type, or undefined for types we do not read. */
function decompressorFor(
  mediaType: string,
  /** Its own output buffer's size: only the stream API uses one (`Decompressor` has its own). */
  chunkSize?: number
): (Transform & { close(): void }) | undefined {
  const options = chunkSize ? { chunkSize } : {}
  if (mediaType.endsWith('+gzip') || mediaType.endsWith('.tar.gzip'))
    return createGunzip(options)
  if (mediaType.endsWith('+zstd')) return createZstdDecompress(options)
  return undefined
}

/**
 * Node's zlib internals are driven (`Decompressor`) only on the major they were read from and are
 * tested on: the native write checks its arguments with assertions that abort the process, so a
 * changed signature would not throw. Elsewhere the stream API does the work, with fresh memory for
 * every chunk.
 */
export const zlibInternalsVerified =
  process.versions.node.split('.')[0] === '24'

/** What stops a decompression between two steps. */
export interface DecompressBounds {
  /** True once nobody waits for the answer. */
  cancelled?: () => boolean
  /** The most the blob may decompress to, once known (the size of the tar it should equal). */
  most?: () => number | undefined
}

/** The parts of a zlib stream that zlib's own `*Sync` functions drive (node's lib/zlib.js). */
interface ZlibInternals {
  _handle: {
    writeSync(
      flush: number,
      input: Uint8Array,
      inputOffset: number,
      inputLength: number,
      output: Uint8Array,
      outputOffset: number,
      outputLength: number
    ): void
  } | null
  /** After each write: output bytes left free, input bytes left unread. */
  _writeState: Uint32Array
  _defaultFlushFlag: number
  _finishFlushFlag: number
}

/**
 * Decompresses on this thread into one output buffer, reused for every step, by driving Node's
 * zlib handle the way `zlib.gunzipSync` does (`processChunkSync`), as no public API writes into
 * a given buffer. The stream API allocates every output chunk afresh: checking a 170 MB layer
 * took 0.8 s that way, 0.4 s of it page faults on the new memory, against 0.37 s here. Used on
 * the Node major it was checked against (`zlibInternalsVerified`); a handle that is missing or
 * closed makes `write` throw, and the caller builds the layer instead.
 */
class Decompressor {
  private readonly output = Buffer.allocUnsafe(decompressChunk)
  private readonly internals: ZlibInternals

  constructor(
    private readonly stream: Transform & { close(): void },
    /** Hears each piece of output before the next is made into the same memory. */
    private readonly take: (output: Uint8Array) => void
  ) {
    this.internals = stream as unknown as ZlibInternals
    // Errors are read from `errored` right after each step; the event comes later.
    stream.on('error', () => {})
  }

  async write(input: Uint8Array): Promise<void> {
    await this.step(input, this.internals._defaultFlushFlag)
  }

  /** Flushes what is left and checks the stream ended (and its checksum). */
  async end(): Promise<void> {
    await this.step(new Uint8Array(0), this.internals._finishFlushFlag)
  }

  close(): void {
    if (!this.stream.destroyed) this.stream.close()
  }

  private async step(input: Uint8Array, flush: number): Promise<void> {
    const state = this.internals._writeState
    let offset = 0
    let left = input.length
    for (;;) {
      const handle = this.internals._handle
      if (this.stream.destroyed || !handle || state?.length !== 2)
        throw this.stream.errored ?? new Error('the decompressor is closed')
      handle.writeSync(
        flush,
        input,
        offset,
        left,
        this.output,
        0,
        this.output.length
      )
      // A corrupt stream closes the handle within the write: never write to it again.
      if (this.stream.errored) throw this.stream.errored
      const [outputFree, inputLeft] = state
      const produced = this.output.length - outputFree
      if (produced > 0) this.take(this.output.subarray(0, produced))
      offset += left - inputLeft
      left = inputLeft
      // A full output buffer means more may come out of the same input.
      if (outputFree !== 0) return
      await letOthersRun()
    }
  }
}

/** A layer blob written to disk, with both of its content addresses. */
export interface BuiltLayer {
  /** sha256 of the compressed blob: what manifests and registries address. */
  digest: Digest
  /** sha256 of the uncompressed tar: what the image config's `rootfs.diff_ids` lists. */
  diffId: Digest
  size: number
  uncompressedSize: number
  mediaType: string
  path: string
  entries: number
}

class HashTap extends Transform {
  bytes = 0
  constructor(private readonly hash: Hash) {
    super()
  }
  override _transform(
    chunk: Buffer,
    _: BufferEncoding,
    done: TransformCallback
  ): void {
    this.hash.update(chunk)
    this.bytes += chunk.length
    done(null, chunk)
  }
}

/** A file sink that says how many bytes are on disk after each write, for an upload to follow. */
class ReportingFile extends Writable {
  private written = 0
  private file?: FileHandle

  constructor(
    private readonly path: string,
    private readonly onProgress: (bytes: number) => void
  ) {
    super({ highWaterMark: 1024 * 1024 })
  }

  override _construct(done: (error?: Error | null) => void): void {
    open(this.path, 'w').then(file => {
      this.file = file
      done()
    }, done)
  }

  override _writev(
    chunks: { chunk: Buffer }[],
    done: (error?: Error | null) => void
  ): void {
    this.writeAll(Buffer.concat(chunks.map(c => c.chunk))).then(() => {
      this.onProgress(this.written)
      done()
    }, done)
  }

  // A write may take only part of the buffer; the rest goes after it.
  private async writeAll(buffer: Buffer): Promise<void> {
    for (let offset = 0; offset < buffer.length;) {
      const { bytesWritten } = await this.file!.write(buffer, offset)
      offset += bytesWritten
      this.written += bytesWritten
    }
  }

  override _final(done: (error?: Error | null) => void): void {
    this.file!.close().then(() => done(), done)
  }

  override _destroy(
    error: Error | null,
    done: (error?: Error | null) => void
  ): void {
    if (!this.file) return done(error)
    this.file.close().then(
      () => done(error),
      () => done(error)
    )
  }
}

/**
 * Writes `entries` as a compressed layer blob at `path`, streaming tar → compressor → file while
 * hashing both the tar (diffID) and the blob (digest) in the same pass. `onProgress` hears how
 * many bytes are on disk as they land, so an upload can follow the file while it grows.
 */
export async function writeLayer(
  entries: readonly TarEntry[],
  options: TarOptions,
  path: string,
  compression: Compression = 'gzip',
  onProgress?: (bytes: number) => void
): Promise<BuiltLayer> {
  const diffHash = createHash('sha256')
  const blobHash = createHash('sha256')
  const tarTap = new HashTap(diffHash)
  const blobTap = new HashTap(blobHash)
  await pipeline(
    Readable.from(tarStream(entries, options), { objectMode: false }),
    tarTap,
    compressor(compression),
    blobTap,
    onProgress ? new ReportingFile(path, onProgress) : createWriteStream(path)
  )
  return {
    digest: `sha256:${blobHash.digest('hex')}`,
    diffId: `sha256:${diffHash.digest('hex')}`,
    size: blobTap.bytes,
    uncompressedSize: tarTap.bytes,
    mediaType: layerMediaType(compression),
    path,
    entries: entries.length
  }
}

/** The diffID alone: tar and hash, nothing compressed or written (a fraction of a full build). */
export async function tarDigest(
  entries: readonly TarEntry[],
  options: TarOptions
): Promise<{ diffId: Digest; size: number }> {
  const hash = createHash('sha256')
  const size = await tarHash(entries, options, hash)
  return { diffId: `sha256:${hash.digest('hex')}`, size }
}

/**
 * The diffID of a compressed layer stream: decompress and hash, keeping nothing. Each chunk is
 * done with before the next is asked for, so `source` may lend its chunks (`HttpRequest.lent`).
 * `bounds` are checked at every step of output (1 MiB): a blob that expands without end is
 * stopped there, not after its chunk. `internals` is for tests, which take the stream path too.
 */
export async function diffIdOfBlob(
  source: AsyncIterable<Uint8Array>,
  mediaType: string,
  bounds: DecompressBounds = {},
  internals = zlibInternalsVerified
): Promise<Digest | undefined> {
  const stream = decompressorFor(
    mediaType,
    internals ? undefined : decompressChunk
  )
  if (!stream) return undefined
  const hash = createHash('sha256')
  let produced = 0
  const take = (output: Uint8Array): void => {
    if (bounds.cancelled?.()) throw new Error('no longer needed')
    produced += output.length
    const most = bounds.most?.()
    if (most !== undefined && produced > most)
      throw new Error(`it decompresses to more than the layer's ${most} bytes`)
    hash.update(output)
  }
  if (!internals) {
    async function* copied(): AsyncGenerator<Uint8Array> {
      // The stream keeps what it is given until it gets to it: lent chunks are copied.
      for await (const chunk of source) yield Buffer.from(chunk)
    }
    await pipeline(
      copied(),
      stream,
      new Writable({
        highWaterMark: decompressChunk,
        write: (chunk: Buffer, _encoding, done) => {
          try {
            take(chunk)
            done()
          } catch (error) {
            done(error as Error)
          }
        }
      })
    )
    return `sha256:${hash.digest('hex')}`
  }
  const decompressor = new Decompressor(stream, take)
  try {
    for await (const chunk of source) await decompressor.write(chunk)
    await decompressor.end()
  } finally {
    decompressor.close()
  }
  return `sha256:${hash.digest('hex')}`
}
