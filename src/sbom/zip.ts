import { inflateRawSync } from 'node:zlib'

/** One entry of a ZIP central directory. */
export interface ZipEntry {
  name: string
  method: number
  compressedSize: number
  size: number
  /** Offset of the local header, already corrected for data prepended to the archive. */
  localOffset: number
}

/**
 * What reading one archive may cost, nested archives included: entries listed, and bytes
 * inflated. One budget is shared by a top-level archive and every archive inside it, so a small
 * jar cannot make the reader inflate gigabytes (a zip bomb).
 */
export class ZipBudget {
  entries: number
  inflated: number
  /** Set once a limit was reached: the archive is read no further. */
  exhausted = false

  constructor(
    readonly limits: { entries: number; inflated: number } = defaultZipLimits
  ) {
    this.entries = limits.entries
    this.inflated = limits.inflated
  }
}

/** 500,000 entries and 256 MiB inflated per top-level archive: a large war fits in either. */
export const defaultZipLimits = {
  entries: 500_000,
  inflated: 256 * 1024 * 1024
} as const

/** A budget was used up: the rest of the archive is not read. */
export class ZipBudgetExceeded extends Error {}

const eocdSignature = 0x06054b50
const zip64LocatorSignature = 0x07064b50
const zip64EocdSignature = 0x06064b50
const centralSignature = 0x02014b50
const localSignature = 0x04034b50

function findEocd(buf: Buffer): number {
  // The end record is 22 bytes plus a comment of at most 65,535.
  const stop = Math.max(0, buf.length - 22 - 0xffff)
  for (let i = buf.length - 22; i >= stop; i--) {
    if (buf.readUInt32LE(i) === eocdSignature) return i
  }
  return -1
}

/**
 * Throws when two entries' local records (header, name, extra field and data) share bytes: no
 * writer makes such an archive, and it lets a small one inflate the same data many times.
 */
function checkOverlaps(buf: Buffer, entries: readonly ZipEntry[]): void {
  const spans = entries.map(entry => {
    const p = entry.localOffset
    const header =
      p >= 0 && p + 30 <= buf.length && buf.readUInt32LE(p) === localSignature
        ? 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28)
        : 30
    return { entry, start: p, end: p + header + entry.compressedSize }
  })
  spans.sort((a, b) => a.start - b.start)
  for (let i = 1; i < spans.length; i++) {
    const [before, after] = [spans[i - 1], spans[i]]
    if (after.start < before.end)
      throw new Error(
        after.start === before.start
          ? `ZIP entries ${before.entry.name} and ${after.entry.name} have the same local header (offset ${after.start}): not read`
          : `ZIP entries ${before.entry.name} and ${after.entry.name} overlap (offset ${after.start}): not read`
      )
  }
}

/**
 * Lists a ZIP archive (a jar) from its central directory: the minimum a cataloger needs, with
 * ZIP64 sizes and offsets, and archives that carry a prefix (self-executing jars). Throws on
 * anything that is not a readable archive, on entries whose data overlap, and when its entries
 * are more than `budget` has left.
 */
export function listZip(
  buf: Buffer,
  budget: ZipBudget = new ZipBudget()
): ZipEntry[] {
  const eocd = findEocd(buf)
  if (eocd < 0) throw new Error('no ZIP end-of-central-directory record')
  let count = buf.readUInt16LE(eocd + 10)
  let cdSize = buf.readUInt32LE(eocd + 12)
  let cdOffset = buf.readUInt32LE(eocd + 16)
  let cdEnd = eocd
  if (
    eocd >= 20 &&
    buf.readUInt32LE(eocd - 20) === zip64LocatorSignature &&
    (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff)
  ) {
    const record = Number(buf.readBigUInt64LE(eocd - 20 + 8))
    // The locator's offset is relative to the archive start; find the record by its signature.
    const at =
      record < buf.length && buf.readUInt32LE(record) === zip64EocdSignature
        ? record
        : buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x06, 0x06]), eocd - 20)
    if (at < 0) throw new Error('ZIP64 end record not found')
    count = Number(buf.readBigUInt64LE(at + 32))
    cdSize = Number(buf.readBigUInt64LE(at + 40))
    cdOffset = Number(buf.readBigUInt64LE(at + 48))
    cdEnd = at
  }
  if (count > budget.entries) {
    budget.exhausted = true
    throw new ZipBudgetExceeded(
      `${count} entries: over the ${budget.limits.entries} entries read per archive (nested ones included)`
    )
  }
  budget.entries -= count
  // Bytes in front of the archive shift every offset by the same amount.
  const shift = cdEnd - (cdOffset + cdSize)
  let p = cdOffset + shift
  const entries: ZipEntry[] = []
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== centralSignature)
      throw new Error(`ZIP central directory entry ${i} is damaged`)
    const flags = buf.readUInt16LE(p + 8)
    const method = buf.readUInt16LE(p + 10)
    let compressedSize = buf.readUInt32LE(p + 20)
    let size = buf.readUInt32LE(p + 24)
    const nameLength = buf.readUInt16LE(p + 28)
    const extraLength = buf.readUInt16LE(p + 30)
    const commentLength = buf.readUInt16LE(p + 32)
    let localOffset = buf.readUInt32LE(p + 42)
    const name = buf
      .subarray(p + 46, p + 46 + nameLength)
      .toString(flags & 0x800 ? 'utf8' : 'latin1')
    // ZIP64 extra field: the 64-bit values follow in this order, only for fields set to all ones.
    let e = p + 46 + nameLength
    const extraEnd = e + extraLength
    while (e + 4 <= extraEnd) {
      const id = buf.readUInt16LE(e)
      const length = buf.readUInt16LE(e + 2)
      if (id === 0x0001) {
        let q = e + 4
        if (size === 0xffffffff) {
          size = Number(buf.readBigUInt64LE(q))
          q += 8
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = Number(buf.readBigUInt64LE(q))
          q += 8
        }
        if (localOffset === 0xffffffff)
          localOffset = Number(buf.readBigUInt64LE(q))
      }
      e += 4 + length
    }
    entries.push({
      name,
      method,
      compressedSize,
      size,
      localOffset: localOffset + shift
    })
    p = extraEnd + commentLength
  }
  checkOverlaps(buf, entries)
  return entries
}

/**
 * The content of one entry (stored or deflated), refusing more than `limit` bytes; what is
 * inflated is taken from `budget`, and never more than it has left.
 */
export function readZipEntry(
  buf: Buffer,
  entry: ZipEntry,
  limit: number,
  budget: ZipBudget = new ZipBudget()
): Buffer {
  const p = entry.localOffset
  if (p < 0 || p + 30 > buf.length || buf.readUInt32LE(p) !== localSignature)
    throw new Error(`${entry.name}: local header not found`)
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28)
  const data = buf.subarray(start, start + entry.compressedSize)
  if (entry.size > limit)
    throw new Error(`${entry.name}: ${entry.size} bytes is over ${limit}`)
  if (entry.method === 0) return data
  if (entry.method !== 8)
    throw new Error(`${entry.name}: compression method ${entry.method}`)
  const exceeded = () => {
    budget.exhausted = true
    return new ZipBudgetExceeded(
      `${entry.name}: over the ${budget.limits.inflated} bytes inflated per archive (nested ones included)`
    )
  }
  if (entry.size > budget.inflated) throw exceeded()
  // The declared size may lie: inflating stops at what the limit and the budget allow.
  const allowed = Math.min(limit, budget.inflated)
  let out: Buffer
  try {
    out = inflateRawSync(data, { maxOutputLength: Math.max(1, allowed) })
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_BUFFER_TOO_LARGE')
      throw error
    budget.inflated -= allowed
    if (allowed < limit) throw exceeded()
    throw new Error(`${entry.name}: inflates to more than ${limit} bytes`)
  }
  budget.inflated -= out.length
  return out
}
