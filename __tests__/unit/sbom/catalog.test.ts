import { describe, expect, it } from '@jest/globals'
import { catalog } from '../../../src/sbom/catalog'
import type { FileSource } from '../../../src/sbom/types'
import { memorySource, warnings } from './helpers'

describe('catalog', () => {
  it('lists what it can when a file cannot be read, and names that file', async () => {
    const w = warnings()
    const gone: FileSource = {
      path: 'app/node_modules/gone/package.json',
      size: 10,
      read: async () => {
        throw new Error(
          'app/node_modules/gone/package.json changed since the layer was built'
        )
      }
    }
    const files = [
      memorySource('etc/os-release', 'ID=debian\nVERSION_ID="12"\n'),
      memorySource(
        'app/node_modules/kept/package.json',
        JSON.stringify({ name: 'kept', version: '1.0.0' })
      ),
      gone,
      memorySource(
        'app/node_modules/other/package.json',
        JSON.stringify({ name: 'other', version: '2.0.0' })
      )
    ]
    const { packages, distro } = await catalog(files, { warn: w.warn })
    expect(distro).toEqual({ id: 'debian', versionId: '12' })
    expect(packages.map(p => p.purl)).toEqual([
      'pkg:npm/kept@1.0.0',
      'pkg:npm/other@2.0.0'
    ])
    expect(w.list).toEqual([
      'npm cataloger: app/node_modules/gone/package.json: app/node_modules/gone/package.json changed since the layer was built'
    ])
  })

  it('goes on without the distribution when os-release cannot be read', async () => {
    const w = warnings()
    const { packages, distro } = await catalog(
      [
        {
          path: 'etc/os-release',
          size: 1,
          read: async () => {
            throw new Error('gone')
          }
        },
        memorySource(
          'app/node_modules/kept/package.json',
          JSON.stringify({ name: 'kept', version: '1.0.0' })
        )
      ],
      { warn: w.warn }
    )
    expect(distro).toBeUndefined()
    expect(packages).toHaveLength(1)
    expect(w.list).toEqual(['etc/os-release: gone'])
  })
})
