import { constants } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'

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
const smallFileLimit = 4 * 1024 * 1024
const readChunk = 1024 * 1024
const flushAt = 256 * 1024

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
  if (value.toString(8).length > length - 1) {
    throw new Error(`${value} does not fit a ${length}-byte tar header field`)
  }
  writeString(
    buf,
    offset,
    length,
    value.toString(8).padStart(length - 1, '0') + '\0'
  )
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
  options: TarOptions
): Buffer {
  const header = Buffer.alloc(block)
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
  for (const byte of header) sum += byte
  writeString(header, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ')
  return header
}

function padding(size: number): Buffer {
  const rest = size % block
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(block - rest)
}

/**
 * The header blocks of one entry: a PAX extended header first when the name or link target is too
 * long or not plain ASCII, or the size does not fit the octal field.
 */
function entryHeader(entry: TarEntry, options: TarOptions): Buffer {
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

  const mtime = Math.min(options.mtime, maxOctal11)
  const plain = ustarHeader(
    asciiPrefix(name, 100),
    typeflag,
    mode,
    Math.min(size, maxOctal11) === size ? size : 0,
    asciiPrefix(linkname, 100),
    { ...options, mtime }
  )
  if (pax === '') return plain
  const paxBody = Buffer.from(pax, 'utf8')
  const paxHeader = ustarHeader('PaxHeader', 'x', 0o644, paxBody.length, '', {
    ...options,
    mtime
  })
  return Buffer.concat([paxHeader, paxBody, padding(paxBody.length), plain])
}

/** A stand-in for readers without PAX support: the printable ASCII part of the name, cut to fit. */
function asciiPrefix(value: string, limit: number): string {
  const ascii = value.replace(/[^\x20-\x7e]/g, '_')
  return ascii.length > limit ? ascii.slice(0, limit) : ascii
}

/**
 * Streams a tar archive of `entries` in the given order, reading file contents from disk as it
 * goes; output is batched into chunks of a few hundred KiB so that the compressor sees large writes.
 */
export async function* tarStream(
  entries: readonly TarEntry[],
  options: TarOptions
): AsyncGenerator<Buffer> {
  let pending: Buffer[] = []
  let pendingBytes = 0
  const push = (chunk: Buffer): Buffer | undefined => {
    pending.push(chunk)
    pendingBytes += chunk.length
    if (pendingBytes < flushAt) return undefined
    const out =
      pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes)
    pending = []
    pendingBytes = 0
    return out
  }

  for (const entry of entries) {
    let out = push(entryHeader(entry, options))
    if (out) yield out
    if (entry.type !== 'file') continue
    const handle = await openChecked(entry)
    try {
      if (entry.size <= smallFileLimit) {
        const content = await handle.readFile()
        assertSize(entry, content.length)
        out = push(content)
        if (out) yield out
      } else {
        for await (const chunk of readLarge(entry, handle)) {
          out = push(chunk)
          if (out) yield out
        }
      }
    } finally {
      await handle.close()
    }
    out = push(padding(entry.size))
    if (out) yield out
  }
  push(Buffer.alloc(block * 2))
  yield Buffer.concat(pending, pendingBytes)
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

function changed(entry: FileEntry, why: string): Error {
  return new Error(
    `${entry.source} changed while the layer was being written (${why}); nothing may change the sources while Imprint runs`
  )
}

async function* readLarge(
  entry: FileEntry,
  handle: FileHandle
): AsyncGenerator<Buffer> {
  let position = 0
  while (position < entry.size) {
    const buffer = Buffer.allocUnsafe(
      Math.min(readChunk, entry.size - position)
    )
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
