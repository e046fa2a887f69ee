import { Readable } from 'node:stream'
import { createGunzip, createZstdDecompress } from 'node:zlib'

/** A tar entry header, after pax and GNU long-name records are applied. */
export interface TarHeader {
  /** Normalised: no leading `./` or `/`, no trailing `/`. */
  path: string
  /** `file`, `hardlink`, `symlink`, `dir` or `other` (devices, fifos). */
  type: 'file' | 'hardlink' | 'symlink' | 'dir' | 'other'
  mode: number
  size: number
  linkname: string
}

/** Receives an entry's content, in order. */
export interface EntrySink {
  data(chunk: Buffer): void
  end(): void
}

const block = 512

/**
 * The most a pax extended header or GNU long name may hold (1 MiB): real ones are a few hundred
 * bytes, and they are kept in memory until the entry they describe.
 */
export const maxMetadataSize = 1024 * 1024

const metadataNames: Record<string, string> = {
  x: 'pax extended header',
  L: 'GNU long name',
  K: 'GNU long link name'
}

/** Normalises a path from an archive: no leading `./` or `/`, no `.` segments, no trailing `/`. */
export function normalisePath(path: string): string {
  const out: string[] = []
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') out.pop()
    else out.push(segment)
  }
  return out.join('/')
}

function cString(buf: Buffer, start: number, length: number): string {
  const end = buf.indexOf(0, start)
  return buf.toString(
    'utf8',
    start,
    end < 0 || end > start + length ? start + length : end
  )
}

function number(buf: Buffer, start: number, length: number): number {
  // GNU base-256 for values that do not fit in octal: high bit of the first byte set.
  if (buf[start] & 0x80) {
    let value = buf[start] & 0x7f
    for (let i = start + 1; i < start + length; i++)
      value = value * 256 + buf[i]
    return value
  }
  const text = cString(buf, start, length).trim()
  return text === '' ? 0 : parseInt(text, 8)
}

function parsePax(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {}
  let p = 0
  while (p < body.length) {
    const space = body.indexOf(0x20, p)
    if (space < 0) break
    const length = parseInt(body.toString('ascii', p, space), 10)
    if (!(length > 0)) break
    const record = body.toString('utf8', space + 1, p + length - 1)
    const eq = record.indexOf('=')
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1)
    p += length
  }
  return out
}

/**
 * A streaming tar reader (ustar, pax and GNU long names): `write` chunks as they come, and each
 * entry's header goes to `onEntry`, whose sink (if any) receives the content. Nothing but the
 * current header and metadata records (up to `maxMetadataSize`, a larger one fails the archive)
 * is buffered; global pax headers are skipped unread.
 */
export class TarParser {
  private pending: Buffer[] = []
  private pendingLength = 0
  private state: 'header' | 'body' | 'pad' | 'end' = 'header'
  private remaining = 0
  private padding = 0
  private sink: EntrySink | undefined
  /** The metadata record being read; `parts` is undefined for one that is skipped. */
  private meta: { type: string; parts?: Buffer[] } | undefined
  private pax: Record<string, string> = {}
  private longName: string | undefined
  private longLink: string | undefined

  constructor(
    private readonly onEntry: (header: TarHeader) => EntrySink | undefined
  ) {}

  write(chunk: Buffer): void {
    let off = 0
    while (off < chunk.length && this.state !== 'end') {
      if (this.state === 'header') {
        const part = chunk.subarray(off, off + block - this.pendingLength)
        off += part.length
        this.pending.push(part)
        this.pendingLength += part.length
        if (this.pendingLength < block) return
        const header = Buffer.concat(this.pending)
        this.pending = []
        this.pendingLength = 0
        this.header(header)
      } else if (this.state === 'body') {
        const part = chunk.subarray(off, off + this.remaining)
        off += part.length
        this.remaining -= part.length
        if (this.meta) this.meta.parts?.push(Buffer.from(part))
        else this.sink?.data(part)
        if (this.remaining === 0) this.bodyDone()
      } else {
        const skip = Math.min(this.padding, chunk.length - off)
        off += skip
        this.padding -= skip
        if (this.padding === 0) this.state = 'header'
      }
    }
  }

  /** Checks the archive ended cleanly (an entry cut short is an error). */
  end(): void {
    if (this.state === 'body' || this.pendingLength > 0)
      throw new Error('tar archive is truncated')
  }

  private header(h: Buffer): void {
    if (h.every(b => b === 0)) {
      // End-of-archive blocks: whatever follows is not read.
      this.state = 'end'
      return
    }
    let sum = 0
    for (let i = 0; i < block; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]
    if (sum !== number(h, 148, 8))
      throw new Error('not a tar archive (header checksum mismatch)')
    const typeflag = String.fromCharCode(h[156] || 0x30)
    let size = number(h, 124, 12)
    const ustar = h.toString('ascii', 257, 262) === 'ustar'
    const prefix = ustar && h[345] !== 0 ? cString(h, 345, 155) : ''
    let path = (prefix ? prefix + '/' : '') + cString(h, 0, 100)
    let linkname = cString(h, 157, 100)
    if (typeflag === 'g') {
      // Global pax headers carry nothing a cataloger needs: skipped, whatever their size.
      this.meta = { type: typeflag }
      this.startBody(size)
      return
    }
    if (typeflag in metadataNames) {
      if (size > maxMetadataSize)
        throw new Error(
          `a ${metadataNames[typeflag]} of ${size} bytes is over the ${maxMetadataSize} bytes this reader keeps`
        )
      this.meta = { type: typeflag, parts: [] }
      this.startBody(size)
      return
    }
    if (this.longName !== undefined) path = this.longName
    if (this.longLink !== undefined) linkname = this.longLink
    if (this.pax.path !== undefined) path = this.pax.path
    if (this.pax.linkpath !== undefined) linkname = this.pax.linkpath
    if (this.pax.size !== undefined) size = parseInt(this.pax.size, 10)
    this.pax = {}
    this.longName = this.longLink = undefined
    const type =
      typeflag === '0' || typeflag === '7'
        ? 'file'
        : typeflag === '1'
          ? 'hardlink'
          : typeflag === '2'
            ? 'symlink'
            : typeflag === '5'
              ? 'dir'
              : 'other'
    this.sink = this.onEntry({
      path: normalisePath(path),
      type,
      mode: number(h, 100, 8) & 0o7777,
      size,
      linkname: type === 'hardlink' ? normalisePath(linkname) : linkname
    })
    this.startBody(size)
  }

  private startBody(size: number): void {
    this.remaining = size
    this.padding = (block - (size % block)) % block
    if (size > 0) this.state = 'body'
    else this.bodyDone()
  }

  private bodyDone(): void {
    if (this.meta) {
      const body = this.meta.parts && Buffer.concat(this.meta.parts)
      if (body && this.meta.type === 'x') this.pax = parsePax(body)
      else if (body && this.meta.type === 'L')
        this.longName = cString(body, 0, body.length)
      else if (body && this.meta.type === 'K')
        this.longLink = cString(body, 0, body.length)
      this.meta = undefined
    } else {
      this.sink?.end()
      this.sink = undefined
    }
    this.state = this.padding > 0 ? 'pad' : 'header'
  }
}

/**
 * A layer blob's tar stream: gzip and zstd are recognised by their magic numbers, anything else
 * is taken to be a plain tar.
 */
export async function* decompressLayer(
  blob: AsyncIterable<Buffer> | Iterable<Buffer>
): AsyncGenerator<Buffer> {
  const iterator = (async function* () {
    for await (const chunk of blob) yield chunk
  })()
  let first = await iterator.next()
  while (!first.done && first.value.length < 4) {
    const next = await iterator.next()
    if (next.done) break
    first = { done: false, value: Buffer.concat([first.value, next.value]) }
  }
  if (first.done) return
  const head = first.value
  // Large output chunks: each one is a callback on the main thread (16 KiB by default, thousands
  // per base layer), and the tar parser copies out only the few files it keeps.
  const chunkSize = 256 * 1024
  const decompressor =
    head[0] === 0x1f && head[1] === 0x8b
      ? createGunzip({ chunkSize })
      : head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528
        ? createZstdDecompress({ chunkSize })
        : undefined
  async function* rest(): AsyncGenerator<Buffer> {
    yield head
    for (;;) {
      const next = await iterator.next()
      if (next.done) return
      yield next.value
    }
  }
  if (!decompressor) {
    yield* rest()
    return
  }
  const input = Readable.from(rest())
  input.on('error', err => decompressor.destroy(err))
  input.pipe(decompressor)
  for await (const chunk of decompressor) yield chunk as Buffer
}
