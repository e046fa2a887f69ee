import type { ElfView } from './types'

/** Random access to (parts of) a file. */
export interface ByteSource {
  readonly size: number
  /** Up to `length` bytes at `offset`: fewer when only a prefix is at hand, undefined when none is. */
  read(offset: number, length: number): Buffer | undefined
  /** The first offset in [start, end) where `needle` starts at a multiple of `align`, or -1. */
  find(needle: Buffer, start: number, end: number, align: number): number
}

/** The first offset in [start, end) of `data` (which starts at `base`) where `needle` is, at a multiple of `align`. */
export function findAligned(
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

export const ptLoad = 1
export const pfWrite = 2
const shtNobits = 8
export const goBuildInfoMagic = Buffer.from('\xff Go buildinf:', 'latin1')
/** How much of the Go build info is read: its header and the module list after it. */
const goBuildInfoRead = 1024 * 1024

/** The fields of the ELF header the readers use. */
export interface ElfHeader {
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

/**
 * The largest section header table read (4 MiB): 65,535 entries of a 64-bit file's 64 bytes fit,
 * and a header claiming more (up to 4 GiB) is not an executable this reader takes.
 */
export const maxSectionTable = 4 * 1024 * 1024

/**
 * Whether the tables a header describes can be read: entries at least as large as the structures
 * read from them, and a section header table within `maxSectionTable`.
 */
function tablesReadable(h: ElfHeader): boolean {
  if (h.phnum > 0 && h.phentsize < (h.is64 ? 56 : 32)) return false
  if (h.shnum === 0) return true
  return (
    h.shentsize >= (h.is64 ? 64 : 40) &&
    h.shnum * h.shentsize <= maxSectionTable
  )
}

/**
 * Parses the ELF header, or undefined for anything else, and for a header whose tables cannot be
 * read (entries smaller than their structure, an oversized section header table).
 */
export function elfHeader(b: Buffer): ElfHeader | undefined {
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
  const h: ElfHeader = is64
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
  return tablesReadable(h) ? h : undefined
}

function reader(b: Buffer, littleEndian: boolean) {
  return {
    u32: (o: number) => (littleEndian ? b.readUInt32LE(o) : b.readUInt32BE(o)),
    u64: (o: number) =>
      littleEndian ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o)
  }
}

/** Program headers (segments) from their table. */
export function elfSegments(h: ElfHeader, table: Buffer): Segment[] {
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

function elfSections(h: ElfHeader, src: ByteSource): Section[] | undefined {
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

/** The sections the binary catalogers look up by name. */
export const catalogedSections = ['.go.buildinfo', '.dep-v0'] as const

/** A byte range of a file: [start, end). */
export interface Span {
  start: number
  end: number
}

/**
 * Where what the catalogers read through sections lies in the file: the section header table,
 * the section names, and `catalogedSections` (`.go.buildinfo` with the bytes Go's reader takes
 * past its end). Empty when `src` is not ELF.
 */
export function sectionSpans(src: ByteSource): Span[] {
  const head = src.read(0, 64)
  const h = head && elfHeader(head)
  if (!h || h.shoff === 0 || h.shnum === 0) return []
  const spans: Span[] = [
    { start: h.shoff, end: h.shoff + h.shnum * h.shentsize }
  ]
  const sections = elfSections(h, src)
  const strtab = sections?.[h.shstrndx]
  if (strtab)
    spans.push({ start: strtab.offset, end: strtab.offset + strtab.size })
  for (const s of sections ?? []) {
    if (s.type === shtNobits) continue
    if (!(catalogedSections as readonly string[]).includes(s.name)) continue
    const length =
      s.name === '.go.buildinfo' ? Math.max(s.size, goBuildInfoRead) : s.size
    spans.push({ start: s.offset, end: s.offset + length })
  }
  return spans
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
        const data = src.read(s.offset, Math.max(s.size, goBuildInfoRead))
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
        if (at >= 0) return src.read(at, goBuildInfoRead)
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

/** The ELF view of a file: what the scanner kept, or a parse of the whole content. */
export async function readElf(file: {
  read(): Promise<Buffer>
  elf?(): Promise<ElfView | undefined>
}): Promise<ElfView | undefined> {
  if (file.elf) return file.elf()
  return parseElf(bufferSource(await file.read()))
}
