import { describe, expect, it } from '@jest/globals'
import { ScanBudget, scanLayer } from '../../../src/sbom/scan'
import { tarArchive, warnings } from './helpers'

const [first, second] = ['8', '9'].map(c => 'sha256:' + c.repeat(64))

/** An npm manifest of `size` bytes (padded), as a tar entry. */
function manifest(name: string, size: number) {
  const head = JSON.stringify({ name, version: '1.0.0', padding: '' })
  const content = head.replace(
    '"padding":""',
    `"padding":"${'p'.repeat(size - head.length)}"`
  )
  return { name: `app/node_modules/${name}/package.json`, content }
}

/** The bytes a scan kept: file contents read whole. */
function keptBytes(scan: Awaited<ReturnType<typeof scanLayer>>): number {
  let total = 0
  for (const file of scan.kept.values()) total += file.data?.length ?? 0
  return total
}

describe('scan budget', () => {
  it('keeps no more than its budget across the layers that share it, and says what it skipped', async () => {
    const kib = 1024
    const layer = (prefix: string) =>
      tarArchive(
        Array.from({ length: 10 }, (_, i) =>
          manifest(`${prefix}${i}`, 100 * kib)
        )
      )
    const budget = new ScanBudget(350 * kib)
    const w = warnings()
    const a = await scanLayer([layer('a')], first, { budget, warn: w.warn })
    const b = await scanLayer([layer('b')], second, { budget, warn: w.warn })
    expect(keptBytes(a)).toBe(300 * kib)
    expect(keptBytes(b)).toBe(0)
    expect(keptBytes(a) + keptBytes(b)).toBeLessThanOrEqual(budget.limit)
    expect(w.list).toHaveLength(17)
    expect(w.list[0]).toBe(
      `${first}: app/node_modules/a3/package.json: ${100 * kib} bytes not kept, the ${350 * kib}-byte budget of what the scan keeps is used up`
    )
    // The paths are still known (they hide lower layers' files), only their content is not kept.
    expect(b.paths.size).toBe(10)
  })

  it('counts what is kept of executables', async () => {
    const elf = Buffer.alloc(128)
    elf.writeUInt32BE(0x7f454c46, 0)
    elf[4] = 2
    elf[5] = 1
    elf[6] = 1
    elf.writeUInt16LE(56, 54)
    elf.writeUInt16LE(64, 58)
    const w = warnings()
    const scan = await scanLayer(
      [
        tarArchive([
          manifest('small', 990),
          { name: 'usr/bin/tool', content: elf, mode: 0o755 }
        ])
      ],
      first,
      { budget: new ScanBudget(1000), warn: w.warn }
    )
    expect([...scan.kept.keys()]).toEqual([
      'app/node_modules/small/package.json'
    ])
    expect(w.list).toEqual([
      expect.stringMatching(
        /^sha256:8+: usr\/bin\/tool: \d+ bytes not kept, the 1000-byte budget of what the scan keeps is used up$/
      )
    ])
  })
})
