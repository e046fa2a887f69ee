import { describe, expect, it } from '@jest/globals'
import { catalogLayers, scanLayer } from '../../../src/sbom/scan'
import { tarArchive } from './helpers'

const [lower, upper] = ['1', '2'].map(c => 'sha256:' + c.repeat(64))
const metadata = 'usr/lib/python3/dist-packages/foo-1.0.dist-info/METADATA'
const lowerLayer = tarArchive([
  { name: 'usr/lib/python3/', type: '5', mode: 0o755 },
  {
    name: metadata,
    content: 'Metadata-Version: 2.1\nName: foo\nVersion: 1.0\n'
  },
  {
    name: 'app/node_modules/bar/package.json',
    content: JSON.stringify({ name: 'bar', version: '2.0.0' })
  }
])

async function packagesOver(upperEntries: Parameters<typeof tarArchive>[0]) {
  const scans = [
    await scanLayer([lowerLayer], lower),
    await scanLayer([tarArchive(upperEntries)], upper)
  ]
  return (await catalogLayers(scans)).packages.map(p => p.purl)
}

describe('layer merge', () => {
  it('hides what a lower layer had below a path a higher layer makes a link', async () => {
    expect(
      await packagesOver([
        {
          name: 'usr/lib/python3',
          type: '2',
          linkname: 'python3.11',
          mode: 0o777
        }
      ])
    ).toEqual(['pkg:npm/bar@2.0.0'])
  })

  it('hides it below a path a higher layer makes a file, at any depth', async () => {
    expect(
      await packagesOver([
        { name: 'usr/lib', content: 'not a directory any more' },
        { name: 'app/node_modules/bar', content: '' }
      ])
    ).toEqual([])
  })

  it('keeps it when the higher layer writes a directory there', async () => {
    expect(
      await packagesOver([
        { name: 'usr/lib/python3/', type: '5', mode: 0o755 },
        { name: 'usr/lib/python3/other.txt', content: 'x' }
      ])
    ).toEqual(['pkg:npm/bar@2.0.0', 'pkg:pypi/foo@1.0'])
  })
})
