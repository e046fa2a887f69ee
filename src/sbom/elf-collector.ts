import {
  bufferSource,
  elfHeader,
  elfSegments,
  findAligned,
  goBuildInfoMagic,
  parseElf,
  pfWrite,
  ptLoad,
  sectionSpans,
  sparseSource,
  type ByteSource,
  type ElfHeader,
  type Span
} from './elf'
import type { ElfView } from './types'

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
  private header: ElfHeader | undefined
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
  /** Once finished: the bytes the view holds. */
  private finishedBytes: number | undefined

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

  /** Bytes held now: the bound the limits promise, whatever the file's size; once finished, what the view holds. */
  get keptBytes(): number {
    if (this.finishedBytes !== undefined) return this.finishedBytes
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

  /**
   * What was kept, as an ElfView; undefined for a file that is not ELF. Of the bounded parts kept
   * while streaming, only what the catalogers read stays: the headers, the Go build info, and the
   * section table, names and cataloged sections (a few kilobytes for most executables).
   */
  finish(): ElfView | undefined {
    if (this.dead) return undefined
    if (!this.head) {
      // A file shorter than its own headers claim: parse what there is.
      const whole = Buffer.concat(this.pending)
      this.pending = []
      this.finishedBytes = whole.length
      return parseElf(bufferSource(whole))
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
    const size = Math.max(this.size, this.pos)
    const all = sparseSource(size, ranges)
    const wanted: Span[] = [
      { start: 0, end: this.head.length },
      ...(this.go
        ? [{ start: this.go.start, end: this.go.start + this.go.length }]
        : []),
      ...sectionSpans(all)
    ]
    const kept = copySpans(all, ranges, wanted)
    this.head = undefined
    this.go = undefined
    this.tailHeadParts = this.tailEndParts = this.shtParts = []
    this.tailHeadLength = this.tailEndLength = 0
    this.finishedBytes = kept.reduce((n, r) => n + r.data.length, 0)
    return parseElf(sparseSource(size, kept))
  }
}

/** Copies of the bytes of `wanted` that `src` (made of `ranges`) holds, each byte once. */
function copySpans(
  src: ByteSource,
  ranges: readonly { start: number; data: Buffer }[],
  wanted: Span[]
): { start: number; data: Buffer }[] {
  const merged: Span[] = []
  for (const w of [...wanted].sort((a, b) => a.start - b.start)) {
    const last = merged[merged.length - 1]
    if (last && w.start <= last.end) last.end = Math.max(last.end, w.end)
    else if (w.end > w.start) merged.push({ ...w })
  }
  const out: { start: number; data: Buffer }[] = []
  for (const span of merged) {
    let pos = span.start
    while (pos < span.end) {
      const piece = src.read(pos, span.end - pos)
      if (piece && piece.length > 0) {
        out.push({ start: pos, data: Buffer.from(piece) })
        pos += piece.length
        continue
      }
      // Not held here: on to the next kept range inside the span, if any.
      const next = Math.min(
        ...ranges.map(r => r.start).filter(start => start > pos)
      )
      if (!(next < span.end)) break
      pos = next
    }
  }
  return out
}
