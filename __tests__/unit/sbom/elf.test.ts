import { describe, expect, it } from '@jest/globals'
import {
  bufferSource,
  maxSectionTable,
  parseElf,
  readElf
} from '../../../src/sbom/elf'
import { ElfCollector } from '../../../src/sbom/elf-collector'

/** A little-endian ELF header (64-bit unless `is64` is false) with the given table fields, then `rest` zero bytes. */
function elfFile(
  fields: {
    is64?: boolean
    phoff?: number
    phentsize?: number
    phnum?: number
    shoff?: number
    shentsize?: number
    shnum?: number
  },
  rest = 0
): Buffer {
  const is64 = fields.is64 ?? true
  const b = Buffer.alloc(64 + rest)
  b.writeUInt32BE(0x7f454c46, 0)
  b[4] = is64 ? 2 : 1
  b[5] = 1 // little-endian
  b[6] = 1
  if (is64) {
    b.writeBigUInt64LE(BigInt(fields.phoff ?? 0), 32)
    b.writeBigUInt64LE(BigInt(fields.shoff ?? 0), 40)
  } else {
    b.writeUInt32LE(fields.phoff ?? 0, 28)
    b.writeUInt32LE(fields.shoff ?? 0, 32)
  }
  const at = is64 ? 54 : 42
  b.writeUInt16LE(fields.phentsize ?? (is64 ? 56 : 32), at)
  b.writeUInt16LE(fields.phnum ?? 0, at + 2)
  b.writeUInt16LE(fields.shentsize ?? (is64 ? 64 : 40), at + 4)
  b.writeUInt16LE(fields.shnum ?? 0, at + 6)
  return b
}

describe('ELF tables that cannot be read', () => {
  it('takes section headers smaller than their structure as not an executable it reads', async () => {
    // 10 sections of 1 byte: reading the 64-bit fields of one would run past the table.
    const file = elfFile({ shoff: 64, shentsize: 1, shnum: 10 }, 10)
    expect(parseElf(bufferSource(file))).toBeUndefined()
    // 32-bit section headers are 40 bytes.
    const small = elfFile(
      { is64: false, shoff: 64, shentsize: 39, shnum: 2 },
      78
    )
    expect(parseElf(bufferSource(small))).toBeUndefined()
    const programs = elfFile({ phoff: 64, phentsize: 8, phnum: 4 }, 32)
    expect(parseElf(bufferSource(programs))).toBeUndefined()
    // Through a file source too: no RangeError, just nothing read.
    await expect(
      readElf({ read: async () => file, elf: undefined })
    ).resolves.toBeUndefined()
  })

  it('does not keep a section header table claimed larger than the bound', () => {
    // 65,535 entries of 65,535 bytes: a 4 GiB table from offset 64 on.
    const header = elfFile({ shoff: 64, shentsize: 65535, shnum: 65535 })
    expect(65535 * 65535).toBeGreaterThan(maxSectionTable)
    const collector = new ElfCollector(64 * 1024 * 1024)
    collector.push(header)
    let peak = 0
    const chunk = Buffer.alloc(1024 * 1024)
    for (let i = 0; i < 32; i++) {
      collector.push(chunk)
      peak = Math.max(peak, collector.keptBytes)
    }
    expect(peak).toBeLessThan(1024 * 1024)
    expect(collector.finish()).toBeUndefined()
  })

  it('still reads a table of the largest legitimate size', () => {
    const shnum = 65535
    const file = elfFile({ shoff: 64, shentsize: 64, shnum }, shnum * 64)
    // Section 0 (the string table index) is all zeros: an empty name table, no sections found.
    expect(parseElf(bufferSource(file))?.section('.dep-v0')).toBeUndefined()
    expect(parseElf(bufferSource(file))).toBeDefined()
  })
})
