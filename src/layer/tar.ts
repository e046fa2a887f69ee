import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs'
import { largestReadAhead, ReadAhead } from './read-ahead'
import { letOthersRun } from '../util/slices'
import { open, type FileHandle } from 'node:fs/promises'
import type { Hash } from 'node:crypto'

/** One entry of a layer, in archive terms; `path` has no leading slash and no trailing slash. */
export type TarEntry =
  | { type: 'dir'; path: string; mode: number }
  | {
      type: 'file'
      path: string
      mode: number
      size: number
      source: string
      /** The file that was checked: what is read must be the same file, not what the path names now. */
      identity?: { dev: number; ino: number }
    }
  | { type: 'symlink'; path: string; target: string }

type FileEntry = Extract<TarEntry, { type: 'file' }>

/** What every entry of a layer shares, so that the same content always gives the same bytes. */
export interface TarOptions {
  mtime: number
  uid: number
  gid: number
}

const block = 512
const maxOctal11 = 0o77777777777
/** Files up to this size are read whole (ahead, on another thread, when there are many). */
const smallFileLimit = largestReadAhead
const readChunk = 1024 * 1024
const flushAt = 256 * 1024
/** From this many small files on, they are read on another thread (starting one costs ~30 ms). */
const readAheadFrom = 512

function writeString(
  buf: Buffer,
  offset: number,
  length: number,
  value: string
): void {
  buf.write(value, offset, length, 'utf8')
}

function writeOctal(
  buf: Buffer,
  offset: number,
  length: number,
  value: number
): void {
  // length - 1 octal digits, then NUL; written digit by digit (a header has six of these).
  let rest = value
  for (let at = offset + length - 2; at >= offset; at--) {
    buf[at] = 0x30 + (rest % 8)
    rest = Math.floor(rest / 8)
  }
  if (rest > 0)
    throw new Error(`${value} does not fit a ${length}-byte tar header field`)
  buf[offset + length - 1] = 0
}

function needsPax(value: string, limit: number): boolean {
  return Buffer.byteLength(value) > limit || /[^\x20-\x7e]/.test(value)
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`
  let length = Buffer.byteLength(body)
  // The length prefix counts its own digits.
  while (String(length).length + Buffer.byteLength(body) !== length) {
    length = String(length).length + Buffer.byteLength(body)
  }
  return `${length}${body}`
}

function ustarHeader(
  name: string,
  typeflag: string,
  mode: number,
  size: number,
  linkname: string,
  options: TarOptions,
  header: Buffer = Buffer.alloc(block)
): Buffer {
  writeString(header, 0, 100, name)
  writeOctal(header, 100, 8, mode)
  writeOctal(header, 108, 8, options.uid)
  writeOctal(header, 116, 8, options.gid)
  writeOctal(header, 124, 12, size)
  writeOctal(header, 136, 12, options.mtime)
  header.fill(0x20, 148, 156)
  writeString(header, 156, 1, typeflag)
  writeString(header, 157, 100, linkname)
  writeString(header, 257, 6, 'ustar\0')
  writeString(header, 263, 2, '00')
  writeOctal(header, 329, 8, 0)
  writeOctal(header, 337, 8, 0)
  let sum = 0
  for (let i = 0; i < block; i++) sum += header[i]
  writeString(header, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ')
  return header
}

/**
 * Puts the header blocks of one entry: a PAX extended header first when the name or link target
 * is too long or not plain ASCII, or the size or time does not fit its octal field.
 */
function putHeader(
  out: TarSink,
  entry: TarEntry,
  options: TarOptions,
  /** `options` with the time cut to what the octal field holds (the PAX record has it whole). */
  clamped: TarOptions,
  scratch: Buffer
): void {
  const name = entry.type === 'dir' ? `${entry.path}/` : entry.path
  const linkname = entry.type === 'symlink' ? entry.target : ''
  const size = entry.type === 'file' ? entry.size : 0
  const mode = entry.type === 'symlink' ? 0o777 : entry.mode
  const typeflag =
    entry.type === 'file' ? '0' : entry.type === 'dir' ? '5' : '2'

  let pax = ''
  if (needsPax(name, 100)) pax += paxRecord('path', name)
  if (needsPax(linkname, 100)) pax += paxRecord('linkpath', linkname)
  if (size > maxOctal11) pax += paxRecord('size', String(size))
  if (options.mtime > maxOctal11)
    pax += paxRecord('mtime', String(options.mtime))

  if (pax !== '') {
    const paxBody = Buffer.from(pax, 'utf8')
    out.put(ustarHeader('PaxHeader', 'x', 0o644, paxBody.length, '', clamped))
    out.put(paxBody)
    const rest = paxBody.length % block
    if (rest) out.zeros(block - rest)
  }
  scratch.fill(0)
  out.put(
    ustarHeader(
      asciiPrefix(name, 100),
      typeflag,
      mode,
      Math.min(size, maxOctal11) === size ? size : 0,
      asciiPrefix(linkname, 100),
      clamped,
      scratch
    )
  )
}

/** A stand-in for readers without PAX support: the printable ASCII part of the name, cut to fit. */
function asciiPrefix(value: string, limit: number): string {
  const ascii = value.replace(/[^\x20-\x7e]/g, '_')
  return ascii.length > limit ? ascii.slice(0, limit) : ascii
}

/** Where the archive's bytes go: gathered into chunks for a stream, or hashed as they come. */
interface TarSink {
  /** `lent` bytes are reused once this returns (a read-ahead view): copied, never kept. */
  put(bytes: Uint8Array, lent?: boolean): void
  zeros(length: number): void
  /** Chunks ready to pass on (a hash passes nothing on). */
  readonly full: Buffer[]
  /** Done with everything put by the time `put` returns: a large file is read into one buffer. */
  readonly keepsNothing: boolean
}

/**
 * Gathers the archive into chunks of `flushAt` bytes, copying each small piece once, so the
 * compressor sees large writes and no object is made per header, file or padding.
 */
class Chunker implements TarSink {
  private chunk = Buffer.allocUnsafe(flushAt)
  private used = 0
  readonly full: Buffer[] = []
  readonly keepsNothing = false

  put(bytes: Uint8Array, lent = false): void {
    if (bytes.length >= flushAt && !lent) {
      // A large piece (a chunk of a large file) goes as it is, after what came before it.
      this.flush()
      this.full.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length))
      return
    }
    let from = 0
    while (from < bytes.length) {
      const n = Math.min(bytes.length - from, flushAt - this.used)
      this.chunk.set(bytes.subarray(from, from + n), this.used)
      this.used += n
      from += n
      if (this.used === flushAt) this.flush()
    }
  }

  zeros(length: number): void {
    let left = length
    while (left > 0) {
      const n = Math.min(left, flushAt - this.used)
      this.chunk.fill(0, this.used, this.used + n)
      this.used += n
      left -= n
      if (this.used === flushAt) this.flush()
    }
  }

  /** Everything put, as chunks: call once the archive is written. */
  end(): Buffer[] {
    this.flush()
    return this.full.splice(0)
  }

  private flush(): void {
    if (this.used === 0) return
    this.full.push(this.chunk.subarray(0, this.used))
    this.chunk = Buffer.allocUnsafe(flushAt)
    this.used = 0
  }
}

const zeroBlocks = Buffer.alloc(2 * block)

/**
 * Hashes the archive as it is written: no chunk is gathered (or copied, or allocated), which is
 * what makes checking an unchanged layer cheaper than building it.
 */
class HashSink implements TarSink {
  size = 0
  /** Always empty: nothing is passed on. */
  readonly full: Buffer[] = []
  readonly keepsNothing = true
  constructor(private readonly hash: Hash) {}

  put(bytes: Uint8Array): void {
    this.hash.update(bytes)
    this.size += bytes.length
  }

  zeros(length: number): void {
    for (let left = length; left > 0; left -= zeroBlocks.length)
      this.put(zeroBlocks.subarray(0, Math.min(left, zeroBlocks.length)))
  }
}

/**
 * Streams a tar archive of `entries` in the given order, reading file contents from disk as it
 * goes; output comes in chunks of a few hundred KiB so that the compressor sees large writes.
 */
export async function* tarStream(
  entries: readonly TarEntry[],
  options: TarOptions
): AsyncGenerator<Buffer> {
  const out = new Chunker()
  const writing = writeArchive(entries, options, out)
  try {
    while (!(await writing.next()).done)
      while (out.full.length) yield out.full.shift()!
    yield* out.end()
  } finally {
    // A consumer that stops early (a failed compressor, a full disk) ends the writer too: its
    // reader thread and open file are closed, or the process would never exit.
    await writing.return(undefined)
  }
}

/** The archive of `entries` hashed into `hash` without being kept; returns its size. */
export async function tarHash(
  entries: readonly TarEntry[],
  options: TarOptions,
  hash: Hash
): Promise<number> {
  const out = new HashSink(hash)
  const writing = writeArchive(entries, options, out)
  while (!(await writing.next()).done);
  return out.size
}

/** The small files the archive of `entries` reads on another thread, if it is worth one. */
function readAheadFiles(entries: readonly TarEntry[]): FileEntry[] | undefined {
  const small = entries.filter(
    (e): e is FileEntry => e.type === 'file' && e.size <= smallFileLimit
  )
  return small.length >= readAheadFrom ? small : undefined
}

/** Whether the archive of `entries` reads its files on another thread (`ReadAhead`). */
export function readsAhead(entries: readonly TarEntry[]): boolean {
  return readAheadFiles(entries) !== undefined
}

/**
 * Writes the archive into `out`, yielding whenever `out` holds chunks to pass on (so a stream's
 * consumer sets the pace).
 */
async function* writeArchive(
  entries: readonly TarEntry[],
  options: TarOptions,
  out: TarSink
): AsyncGenerator<void> {
  const scratch = Buffer.alloc(block)
  const clamped = { ...options, mtime: Math.min(options.mtime, maxOctal11) }
  // The many small files of a dependency tree are read whole, on another thread ahead of the
  // stream when there are many (their system calls then run beside the hashing and compression),
  // else here, synchronously: a round trip to the thread pool per open, stat, read and close
  // would cost more than the calls themselves.
  const small = readAheadFiles(entries)
  const ahead = small && new ReadAhead(small)
  let smallIndex = 0
  /** This archive's read buffer for large files, when `out` keeps nothing. */
  let reused: Buffer | undefined
  try {
    for (const entry of entries) {
      // Files read ahead come as resolved promises, which never let the event loop run: without a
      // pause now and then, what runs beside the archive (the check of a previous image's blob:
      // its download and decompression) would wait for the whole archive.
      await letOthersRun()
      putHeader(out, entry, options, clamped, scratch)
      if (entry.type === 'file') {
        if (entry.size <= smallFileLimit) {
          if (ahead) out.put(await ahead.content(smallIndex++), true)
          else out.put(readSmall(entry))
        } else {
          const handle = await openChecked(entry)
          try {
            // Fresh memory per chunk cost a page fault per 4 KiB: reused when nothing is kept.
            if (out.keepsNothing) reused ??= Buffer.allocUnsafe(readChunk)
            for await (const chunk of readLarge(entry, handle, reused)) {
              out.put(chunk)
              if (out.full.length) yield
            }
          } finally {
            await handle.close()
          }
        }
        const rest = entry.size % block
        if (rest) out.zeros(block - rest)
      }
      if (out.full.length) yield
    }
  } finally {
    await ahead?.close()
  }
  out.zeros(block * 2)
}

/**
 * Opens the file an entry was made from, without following a link at its last component, and
 * checks it is the very file that was listed: a file swapped for a link (or another file) after
 * the walk is refused, so a concurrent step cannot put a host file into the image.
 */
async function openChecked(entry: FileEntry): Promise<FileHandle> {
  let handle: FileHandle
  try {
    handle = await open(entry.source, constants.O_RDONLY | constants.O_NOFOLLOW)
  } catch (error) {
    throw changed(entry, (error as Error).message)
  }
  const info = await handle.stat()
  const { identity } = entry
  if (
    !info.isFile() ||
    (identity && (info.dev !== identity.dev || info.ino !== identity.ino))
  ) {
    await handle.close()
    throw changed(entry, 'it is no longer the file that was listed')
  }
  return handle
}

/** `openChecked` and a whole read, synchronously, for a file of at most a few MiB. */
function readSmall(entry: FileEntry): Buffer {
  let fd: number
  try {
    fd = openSync(entry.source, constants.O_RDONLY | constants.O_NOFOLLOW)
  } catch (error) {
    throw changed(entry, (error as Error).message)
  }
  try {
    const info = fstatSync(fd)
    const { identity } = entry
    if (
      !info.isFile() ||
      (identity && (info.dev !== identity.dev || info.ino !== identity.ino))
    )
      throw changed(entry, 'it is no longer the file that was listed')
    assertSize(entry, info.size)
    const buffer = Buffer.allocUnsafe(entry.size)
    let read = 0
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read)
      if (n === 0) break
      read += n
    }
    assertSize(entry, read)
    return buffer
  } finally {
    closeSync(fd)
  }
}

function changed(entry: FileEntry, why: string): Error {
  return new Error(
    `${entry.source} changed while the layer was being written (${why}); nothing may change the sources while Imprint runs`
  )
}

/**
 * A large file's content in chunks of `readChunk`, each in new memory, or in `reused` (valid until
 * the next chunk is asked for).
 */
async function* readLarge(
  entry: FileEntry,
  handle: FileHandle,
  reused?: Buffer
): AsyncGenerator<Buffer> {
  let position = 0
  while (position < entry.size) {
    const length = Math.min(readChunk, entry.size - position)
    const buffer = reused
      ? reused.subarray(0, length)
      : Buffer.allocUnsafe(length)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position)
    if (bytesRead === 0) break
    position += bytesRead
    yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead)
  }
  const extra = await handle.read(Buffer.alloc(1), 0, 1, position)
  assertSize(entry, position + extra.bytesRead)
}

function assertSize(entry: FileEntry, actual: number): void {
  if (actual !== entry.size) {
    throw changed(entry, `${entry.size} bytes expected, ${actual} found`)
  }
}
