import { describe, expect, it } from '@jest/globals'
import { catalog } from '../../../src/sbom/catalog'
import { archivePackages } from '../../../src/sbom/catalogers/java'
import { listZip, ZipBudget } from '../../../src/sbom/zip'
import { mavenJar, memorySource, warnings, zipArchive } from './helpers'

const layer = 'sha256:' + '7'.repeat(64)
const mib = 1024 * 1024

/** What a budget has given out so far. */
const inflated = (budget: ZipBudget) => budget.limits.inflated - budget.inflated

describe('zip bombs', () => {
  it('refuses central entries that share one local header (300 names for one deflated nested jar)', async () => {
    const nested = mavenJar('org.example', 'inner', '1.0', 2 * mib)
    const bomb = zipArchive(
      [{ name: 'lib/inner.jar', data: nested, deflate: true }],
      ([record]) =>
        Array.from({ length: 300 }, (_, i) => ({
          ...record,
          name: `lib/copy-${i}.jar`
        }))
    )
    expect(bomb.length).toBeLessThan(64 * 1024)
    const w = warnings()
    const budget = new ZipBudget()
    expect(
      archivePackages(bomb, 'app.jar', layer, { layer, ...w }, budget)
    ).toEqual([])
    expect(inflated(budget)).toBe(0)
    expect(w.list).toEqual([
      'app.jar: ZIP entries lib/copy-0.jar and lib/copy-1.jar have the same local header (offset 0): not read'
    ])
    // The cataloger as the scan runs it says the same, and lists nothing.
    const scanned = warnings()
    const { packages } = await catalog([memorySource('app/app.jar', bomb)], {
      warn: scanned.warn
    })
    expect(packages).toEqual([])
    expect(scanned.list).toEqual([
      expect.stringContaining('have the same local header')
    ])
  })

  it('refuses an entry whose data runs into the next one', () => {
    const archive = zipArchive(
      [
        { name: 'a.txt', data: Buffer.alloc(100) },
        { name: 'b.txt', data: Buffer.alloc(100) }
      ],
      ([a, b]) => [a, b, { name: 'c.txt', offset: a.offset + 40, entry: 1 }]
    )
    expect(() => listZip(archive)).toThrow(
      /^ZIP entries a\.txt and c\.txt overlap \(offset 40\): not read$/
    )
  })

  it('inflates no more than the budget of the top-level archive, nested archives included', () => {
    const jars = Array.from({ length: 12 }, (_, i) => ({
      name: `WEB-INF/lib/lib-${i}.jar`,
      data: mavenJar('org.example', `lib-${i}`, '1.0', 4 * mib),
      deflate: true
    }))
    const war = zipArchive(jars)
    const budget = new ZipBudget({ entries: 1000, inflated: 16 * mib })
    const w = warnings()
    const found = archivePackages(
      war,
      'app.war',
      layer,
      { layer, ...w },
      budget
    )
    expect(inflated(budget)).toBeLessThanOrEqual(16 * mib)
    expect(found.length).toBeGreaterThan(0)
    expect(found.length).toBeLessThan(4)
    expect(w.list).toEqual([
      expect.stringMatching(
        /^app\.war:WEB-INF\/lib\/lib-\d+\.jar: WEB-INF\/lib\/lib-\d+\.jar: over the 16777216 bytes inflated per archive \(nested ones included\); the rest of the archive is not read$/
      )
    ])
    // With the default budget, all of them.
    expect(
      archivePackages(war, 'app.war', layer, { layer, ...w })
    ).toHaveLength(12)
  })

  it('lists no more entries than the budget, nested archives included', () => {
    const nested = zipArchive(
      Array.from({ length: 3 }, (_, i) => ({
        name: `n${i}.txt`,
        data: Buffer.from('x')
      }))
    )
    const outer = zipArchive([
      { name: 'a.txt', data: Buffer.from('a') },
      { name: 'lib/nested.jar', data: nested }
    ])
    expect(() =>
      listZip(outer, new ZipBudget({ entries: 1, inflated: mib }))
    ).toThrow(
      '2 entries: over the 1 entries read per archive (nested ones included)'
    )
    const w = warnings()
    const budget = new ZipBudget({ entries: 4, inflated: mib })
    archivePackages(outer, 'app.jar', layer, { layer, ...w }, budget)
    expect(w.list).toEqual([
      'app.jar:lib/nested.jar: 3 entries: over the 4 entries read per archive (nested ones included)'
    ])
  })
})
