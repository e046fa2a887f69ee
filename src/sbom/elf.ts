import type { ElfView } from './types'

/** Random access to (parts of) a file. */
export interface ByteSource {
  readonly size: number
  /** Up to `length` bytes at `offset`: fewer when only a prefix is at hand, undefined when none is. */
  read(offset: number, length: number): Buffer | undefined
  /** The first offset in [start, end) where `needle` starts at a multiple of `align`, or -1. */
  find(needle: Buffer, start: number, end: number, align: number): number
}

function findAligned(
  data: Buffer,
  base: number,
  needle: Buffer,
  start: number,
  end: number,
  align: number
): number {
  let i = Math.max(start, base) - base
  const stop = Math.min(end, base + data.length) - base
  while (i < stop) {
    const at = data.indexOf(needle, i)
    if (at < 0 || at + needle.length > stop) return -1
    if ((base + at) % align === 0) return base + at
    i = at + 1
  }
  return -1
}

/** A whole file in memory. */
export function bufferSource(buf: Buffer): ByteSource {
  return {
    size: buf.length,
    read: (offset, length) =>
      offset >= 0 && offset < buf.length
        ? buf.subarray(offset, Math.min(buf.length, offset + length))
        : undefined,
    find: (needle, start, end, align) =>
      findAligned(buf, 0, needle, start, end, align)
  }
}

/** The parts of a file that were kept, each at its offset. */
export function sparseSource(
  size: number,
  ranges: { start: number; data: Buffer }[]
): ByteSource {
  return {
    size,
    read(offset, length) {
      let best: Buffer | undefined
      for (const r of ranges) {
        if (offset < r.start || offset >= r.start + r.data.length) continue
        const slice = r.data.subarray(
          offset - r.start,
          Math.min(r.data.length, offset - r.start + length)
        )
        if (!best || slice.length > best.length) best = slice
      }
      return best
    },
    find(needle, start, end, align) {
      let found = -1
      for (const r of ranges) {
        const at = findAligned(r.data, r.start, needle, start, end, align)
        if (at >= 0 && (found < 0 || at < found)) found = at
      }
      return found
    }
  }
}

const ptLoad = 1
const pfWrite = 2
const shtNobits = 8
export const goBuildInfoMagic = Buffer.from('\xff Go buildinf:', 'latin1')

interface Header {
  is64: boolean
  littleEndian: boolean
  phoff: number
  phentsize: number
  phnum: number
  shoff: number
  shentsize: number
  shnum: number
  shstrndx: number
}

interface Segment {
  type: number
  flags: number
  offset: number
  vaddr: bigint
  filesz: number
}

interface Section {
  name: string
  type: number
  offset: number
  size: number
}

/** Parses the ELF header, or undefined for anything else. */
export function elfHeader(b: Buffer): Header | undefined {
  if (b.length < 52 || b.readUInt32BE(0) !== 0x7f454c46) return undefined
  const is64 = b[4] === 2
  const littleEndian = b[5] === 1
  if ((!is64 && b[4] !== 1) || (!littleEndian && b[5] !== 2)) return undefined
  if (is64 && b.length < 64) return undefined
  const u16 = (o: number) =>
    littleEndian ? b.readUInt16LE(o) : b.readUInt16BE(o)
  const u32 = (o: number) =>
    littleEndian ? b.readUInt32LE(o) : b.readUInt32BE(o)
  const u64 = (o: number) =>
    Number(littleEndian ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o))
  return is64
    ? {
        is64,
        littleEndian,
        phoff: u64(32),
        shoff: u64(40),
        phentsize: u16(54),
        phnum: u16(56),
        shentsize: u16(58),
        shnum: u16(60),
        shstrndx: u16(62)
      }
    : {
        is64,
        littleEndian,
        phoff: u32(28),
        shoff: u32(32),
        phentsize: u16(42),
        phnum: u16(44),
        shentsize: u16(46),
        shnum: u16(48),
        shstrndx: u16(50)
      }
}

function reader(b: Buffer, littleEndian: boolean) {
  return {
    u32: (o: number) => (littleEndian ? b.readUInt32LE(o) : b.readUInt32BE(o)),
    u64: (o: number) =>
      littleEndian ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o)
  }
}

/** Program headers (segments) from their table. */
export function elfSegments(h: Header, table: Buffer): Segment[] {
  const segments: Segment[] = []
  for (let i = 0; i < h.phnum; i++) {
    const o = i * h.phentsize
    if (o + (h.is64 ? 56 : 32) > table.length) break
    const r = reader(table, h.littleEndian)
    segments.push(
      h.is64
        ? {
            type: r.u32(o),
            flags: r.u32(o + 4),
            offset: Number(r.u64(o + 8)),
            vaddr: r.u64(o + 16),
            filesz: Number(r.u64(o + 32))
          }
        : {
            type: r.u32(o),
            offset: r.u32(o + 4),
            vaddr: BigInt(r.u32(o + 8)),
            filesz: r.u32(o + 16),
            flags: r.u32(o + 24)
          }
    )
  }
  return segments
}

function elfSections(h: Header, src: ByteSource): Section[] | undefined {
  if (h.shoff === 0 || h.shnum === 0) return undefined
  const table = src.read(h.shoff, h.shnum * h.shentsize)
  if (!table || table.length < h.shnum * h.shentsize) return undefined
  const r = reader(table, h.littleEndian)
  const raw = []
  for (let i = 0; i < h.shnum; i++) {
    const o = i * h.shentsize
    raw.push(
      h.is64
        ? {
            nameOffset: r.u32(o),
            type: r.u32(o + 4),
            offset: Number(r.u64(o + 24)),
            size: Number(r.u64(o + 32))
          }
        : {
            nameOffset: r.u32(o),
            type: r.u32(o + 4),
            offset: r.u32(o + 16),
            size: r.u32(o + 20)
          }
    )
  }
  const strtab = raw[h.shstrndx]
  const names = strtab ? src.read(strtab.offset, strtab.size) : undefined
  if (!names) return undefined
  return raw.map(s => {
    const end = names.indexOf(0, s.nameOffset)
    return {
      name: names.toString(
        'latin1',
        s.nameOffset,
        end < 0 ? names.length : end
      ),
      type: s.type,
      offset: s.offset,
      size: s.size
    }
  })
}

/** An ElfView over whatever parts of an ELF file `src` holds; undefined when it is not ELF. */
export function parseElf(src: ByteSource): ElfView | undefined {
  const head = src.read(0, 64)
  const h = head && elfHeader(head)
  if (!h) return undefined
  const table = src.read(h.phoff, h.phnum * h.phentsize)
  const segments = table ? elfSegments(h, table) : []
  let sections: Section[] | undefined | null = null
  const section = (name: string) => {
    if (sections === null) sections = elfSections(h, src)
    return sections?.find(s => s.name === name)
  }
  return {
    is64: h.is64,
    littleEndian: h.littleEndian,
    section(name) {
      const s = section(name)
      if (!s || s.type === shtNobits) return undefined
      const data = src.read(s.offset, s.size)
      return data && data.length === s.size ? data : undefined
    },
    goBuildInfo() {
      const s = section('.go.buildinfo')
      // The strings of the ≥1.18 format follow the header inside the section; read on past its
      // end anyway, as Go's reader does, in case a linker sized the section short.
      if (s && s.type !== shtNobits) {
        const data = src.read(s.offset, Math.max(s.size, 1024 * 1024))
        if (data && data.subarray(0, 14).equals(goBuildInfoMagic)) return data
      }
      for (const seg of segments) {
        if (seg.type !== ptLoad || !(seg.flags & pfWrite)) continue
        const at = src.find(
          goBuildInfoMagic,
          seg.offset,
          seg.offset + seg.filesz,
          16
        )
        if (at >= 0) return src.read(at, 1024 * 1024)
      }
      return undefined
    },
    readAddress(address, length) {
      for (const seg of segments) {
        if (seg.type !== ptLoad) continue
        const delta = address - seg.vaddr
        if (delta < 0n || delta + BigInt(length) > BigInt(seg.filesz)) continue
        const data = src.read(seg.offset + Number(delta), length)
        return data && data.length === length ? data : undefined
      }
      return undefined
    }
  }
}

/** How much of an executable the collector keeps. */
export interface ElfLimits {
  /** Bytes kept after the Go build-info magic (header and module list). */
  goBytes: number
  /** Bytes kept from the start of the non-loaded tail (where `.dep-v0` and the section names sit). */
  tailHead: number
  /** Bytes kept from the end of the file (section header table, `.shstrtab` of linkers that put it last). */
  tailEnd: number
}

export const defaultElfLimits: ElfLimits = {
  goBytes: 1024 * 1024,
  tailHead: 4 * 1024 * 1024,
  tailEnd: 4 * 1024 * 1024
}

/**
 * Reads an executable as a stream and keeps only what the binary catalogers need: the ELF and
 * program headers, the Go build info (searched for in the writable segments, as Go's own
 * debug/buildinfo does), and the bounded start and end of the part after the loaded segments,
 * where non-allocated sections such as cargo-auditable's `.dep-v0` and the section header
 * table live. Memory stays within the limits whatever the file's size.
 */
export class ElfCollector {
  private pos = 0
  private dead = false
  /** Bytes seen before the program headers could be parsed. */
  private pending: Buffer[] = []
  private head: Buffer | undefined
  private header: Header | undefined
  private writable: { start: number; end: number }[] = []
  private tailStart = Infinity
  private sht = { start: 0, end: 0 }
  private shtParts: Buffer[] = []
  private scan: { start: number; data: Buffer } | undefined
  private go: { start: number; parts: Buffer[]; length: number } | undefined
  private tailHeadParts: Buffer[] = []
  private tailHeadLength = 0
  private tailEndParts: Buffer[] = []
  private tailEndLength = 0

  constructor(
    private readonly size: number,
    private readonly limits: ElfLimits = defaultElfLimits
  ) {}

  push(chunk: Buffer): void {
    if (this.dead || chunk.length === 0) return
    const start = this.pos
    this.pos += chunk.length
    if (this.head) {
      this.collect(start, chunk)
      return
    }
    this.pending.push(chunk)
    const seen = Buffer.concat(this.pending)
    this.pending = [seen]
    if (!this.header) {
      if (seen.length >= 4 && seen.readUInt32BE(0) !== 0x7f454c46) {
        this.dead = true
        this.pending = []
        return
      }
      if (seen.length < 64) return
      this.header = elfHeader(seen)
      if (!this.header) {
        this.dead = true
        this.pending = []
        return
      }
    }
    const h = this.header
    // Program headers sit right after the ELF header in practice; far away, go without them.
    const phEnd = h.phoff + h.phnum * h.phentsize
    const headEnd = phEnd <= 1024 * 1024 ? Math.max(64, phEnd) : 64
    if (seen.length < headEnd) return
    this.head = Buffer.from(seen.subarray(0, headEnd))
    this.pending = []
    if (headEnd === phEnd) {
      const table = this.head.subarray(h.phoff, phEnd)
      let loadEnd = 0
      for (const seg of elfSegments(h, table)) {
        if (seg.type !== ptLoad) continue
        loadEnd = Math.max(loadEnd, seg.offset + seg.filesz)
        if (seg.flags & pfWrite)
          this.writable.push({
            start: seg.offset,
            end: seg.offset + seg.filesz
          })
      }
      this.tailStart = loadEnd
    } else {
      this.tailStart = headEnd
    }
    this.sht = { start: h.shoff, end: h.shoff + h.shnum * h.shentsize }
    this.collect(0, seen)
  }

  private collect(start: number, chunk: Buffer): void {
    const end = start + chunk.length
    const slice = (a: number, b: number) =>
      chunk.subarray(Math.max(a, start) - start, Math.min(b, end) - start)
    if (start < this.sht.end && end > this.sht.start)
      this.shtParts.push(slice(this.sht.start, this.sht.end))
    if (this.go) {
      const want = this.limits.goBytes - this.go.length
      if (want > 0 && start === this.go.start + this.go.length) {
        const part = chunk.subarray(0, want)
        this.go.parts.push(part)
        this.go.length += part.length
      }
    } else {
      for (const w of this.writable) {
        if (start >= w.end || end <= w.start) continue
        this.searchGo(Math.max(start, w.start), slice(w.start, w.end))
        if (this.go) break
      }
    }
    if (end > this.tailStart) {
      const tail = slice(this.tailStart, end)
      const tailPos = Math.max(start, this.tailStart)
      const headRoom = this.limits.tailHead - (tailPos - this.tailStart)
      if (headRoom > 0) {
        const part = tail.subarray(0, headRoom)
        this.tailHeadParts.push(part)
        this.tailHeadLength += part.length
      }
      this.tailEndParts.push(tail)
      this.tailEndLength += tail.length
      while (
        this.tailEndParts.length > 1 &&
        this.tailEndLength - this.tailEndParts[0].length >= this.limits.tailEnd
      ) {
        this.tailEndLength -= this.tailEndParts.shift()!.length
      }
    }
  }

  private searchGo(start: number, data: Buffer): void {
    // Join the kept end of the previous piece when it is contiguous with this one.
    const window =
      this.scan && this.scan.start + this.scan.data.length === start
        ? {
            start: this.scan.start,
            data: Buffer.concat([this.scan.data, data])
          }
        : { start, data }
    const at = findAligned(
      window.data,
      window.start,
      goBuildInfoMagic,
      window.start,
      window.start + window.data.length,
      16
    )
    if (at >= 0) {
      const part = Buffer.from(
        window.data.subarray(
          at - window.start,
          at - window.start + this.limits.goBytes
        )
      )
      this.go = { start: at, parts: [part], length: part.length }
      this.scan = undefined
      return
    }
    // Keep just enough to find a magic that straddles this piece and the next.
    const keep = Math.min(window.data.length, goBuildInfoMagic.length + 15)
    this.scan = {
      start: window.start + window.data.length - keep,
      data: Buffer.from(window.data.subarray(window.data.length - keep))
    }
  }

  /** Bytes held now: the bound the limits promise, whatever the file's size. */
  get keptBytes(): number {
    const sum = (parts: Buffer[]) => parts.reduce((n, b) => n + b.length, 0)
    return (
      (this.head?.length ?? 0) +
      sum(this.pending) +
      (this.go?.length ?? 0) +
      (this.scan?.data.length ?? 0) +
      this.tailHeadLength +
      this.tailEndLength +
      sum(this.shtParts)
    )
  }

  /** What was kept, as an ElfView; undefined for a file that is not ELF. */
  finish(): ElfView | undefined {
    if (this.dead) return undefined
    if (!this.head) {
      // A file shorter than its own headers claim: parse what there is.
      return parseElf(bufferSource(Buffer.concat(this.pending)))
    }
    const ranges: { start: number; data: Buffer }[] = [
      { start: 0, data: this.head }
    ]
    if (this.go)
      ranges.push({ start: this.go.start, data: Buffer.concat(this.go.parts) })
    if (this.tailHeadLength > 0)
      ranges.push({
        start: this.tailStart,
        data: Buffer.concat(this.tailHeadParts)
      })
    if (this.tailEndLength > 0)
      ranges.push({
        start: this.pos - this.tailEndLength,
        data: Buffer.concat(this.tailEndParts)
      })
    if (this.shtParts.length > 0)
      ranges.push({ start: this.sht.start, data: Buffer.concat(this.shtParts) })
    return parseElf(sparseSource(Math.max(this.size, this.pos), ranges))
  }
}

/** The ELF view of a file: what the scanner kept, or a parse of the whole content. */
export async function readElf(file: {
  read(): Promise<Buffer>
  elf?(): Promise<ElfView | undefined>
}): Promise<ElfView | undefined> {
  if (file.elf) return file.elf()
  return parseElf(bufferSource(await file.read()))
}
