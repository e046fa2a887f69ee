import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { catalog, readMode } from '../../../src/sbom/catalog'
import { npmLicenses } from '../../../src/sbom/catalogers/npm'
import { npmPurl } from '../../../src/sbom/purl'
import { fileSource } from '../../../src/sbom/sources'
import type { FileSource } from '../../../src/sbom/types'
import { memorySource, run, warnings } from './helpers'

const root = process.cwd()
const layer = 'sha256:' + '2'.repeat(64)

/** npm's own reading of this repository's lockfile: the production tree, as `path:name@version`. */
function npmLs(
  ...omit: string[]
): { path: string; name: string; version: string }[] {
  return run(
    'npm',
    [
      'ls',
      '--package-lock-only',
      '--all',
      '--parseable',
      '--long',
      ...omit.map(o => `--omit=${o}`)
    ],
    root
  )
    .trim()
    .split('\n')
    .map(line => {
      const colon = line.indexOf(':')
      const id = line.slice(colon + 1)
      const at = id.lastIndexOf('@')
      return {
        path: relative(root, line.slice(0, colon)),
        name: id.slice(0, at),
        version: id.slice(0, at) && id.slice(at + 1)
      }
    })
    .filter(p => p.path !== '')
}

function ids(packages: { name: string; version: string }[]): string[] {
  return [...new Set(packages.map(p => `${p.name}@${p.version}`))].sort()
}

describe('npm', () => {
  const production = npmLs('dev')
  const lock = JSON.parse(
    readFileSync(join(root, 'package-lock.json'), 'utf8')
  ) as {
    packages: Record<string, { license?: string }>
  }

  it('reads the installed manifests of the production tree npm ls lists', async () => {
    expect(production.length).toBeGreaterThan(50)
    const files: FileSource[] = []
    for (const p of production)
      files.push(
        await fileSource(
          join(root, p.path, 'package.json'),
          `app/${p.path}/package.json`
        )
      )
    const w = warnings()
    const { packages } = await catalog(files, { layer, warn: w.warn })
    expect(w.list).toEqual([])
    expect(ids(packages)).toEqual(ids(production))
    for (const p of production) {
      const found = packages.find(q => q.purl === npmPurl(p.name, p.version))!
      expect(found.locations).toContainEqual({
        layer,
        path: `app/${p.path}/package.json`
      })
      // npm copies each manifest's licence into the lockfile.
      const declared = lock.packages[p.path]?.license
      expect(found.licenses).toEqual(declared ? [declared] : undefined)
    }
    const scoped = packages.find(p => p.name === '@sigstore/sign')!
    expect(scoped.purl).toBe(`pkg:npm/%40sigstore/sign@${scoped.version}`)
  })

  it('reads the lockfile like npm ls does without dev packages', async () => {
    const { packages } = await catalog([
      await fileSource(join(root, 'package-lock.json'), 'app/package-lock.json')
    ])
    expect(ids(packages)).toEqual(ids(npmLs('dev')))
    expect(
      packages.every(p => p.locations[0].path === 'app/package-lock.json')
    ).toBe(true)
  })

  it('prefers an installed manifest to its lockfile entry', async () => {
    const [first] = production
    const { packages } = await catalog([
      await fileSource(
        join(root, 'package-lock.json'),
        'app/package-lock.json'
      ),
      await fileSource(
        join(root, first.path, 'package.json'),
        `app/${first.path}/package.json`
      )
    ])
    const found = packages.find(
      p => p.purl === npmPurl(first.name, first.version)
    )!
    expect(found.locations).toEqual([
      { layer: '', path: `app/${first.path}/package.json` }
    ])
  })

  it('asks only for manifests of installed packages and applications’ lockfiles', () => {
    const wanted = (path: string) => readMode(path, 0o644) === 'whole'
    expect(wanted('app/node_modules/yaml/package.json')).toBe(true)
    expect(wanted('app/node_modules/@sigstore/sign/package.json')).toBe(true)
    expect(wanted('app/node_modules/a/node_modules/b/package.json')).toBe(true)
    expect(
      wanted('app/node_modules/.pnpm/x@1.0.0/node_modules/x/package.json')
    ).toBe(true)
    expect(wanted('app/node_modules/yaml/dist/package.json')).toBe(false)
    expect(wanted('app/node_modules/.package-lock.json')).toBe(false)
    expect(wanted('app/package.json')).toBe(false)
    expect(wanted('app/package-lock.json')).toBe(true)
    expect(wanted('app/node_modules/x/package-lock.json')).toBe(false)
  })

  it('reads the legacy licence forms', async () => {
    expect(npmLicenses({ license: { type: 'MIT', url: 'x' } })).toEqual(['MIT'])
    expect(
      npmLicenses({ licenses: [{ type: 'MIT' }, { type: 'Apache-2.0' }] })
    ).toEqual(['MIT', 'Apache-2.0'])
    expect(npmLicenses({})).toEqual([])
    const w = warnings()
    const { packages } = await catalog(
      [memorySource('node_modules/x/package.json', '{not json')],
      { warn: w.warn }
    )
    expect(packages).toEqual([])
    expect(w.list).toEqual([
      expect.stringMatching(/^node_modules\/x\/package.json: not JSON/)
    ])
  })
})

describe('npm lockfile entries', () => {
  it('leaves out dev packages and other platforms’ optional builds', async () => {
    const lockfile = {
      lockfileVersion: 3,
      packages: {
        '': { name: 'app', version: '1.0.0' },
        'node_modules/a': { version: '1.0.0', license: 'MIT' },
        'node_modules/b': { version: '2.0.0', dev: true },
        'node_modules/@esbuild/darwin-arm64': {
          version: '0.25.0',
          optional: true,
          os: ['darwin'],
          cpu: ['arm64']
        },
        'node_modules/c': { version: '3.0.0', optional: true },
        'node_modules/a/node_modules/d': { version: '4.0.0' },
        'node_modules/e': { resolved: 'packages/e', link: true },
        'packages/e': { name: 'e', version: '0.0.1' }
      }
    }
    const { packages } = await catalog([
      memorySource('srv/package-lock.json', JSON.stringify(lockfile))
    ])
    expect(packages.map(p => [p.purl, p.licenses])).toEqual([
      ['pkg:npm/a@1.0.0', ['MIT']],
      ['pkg:npm/c@3.0.0', undefined],
      ['pkg:npm/d@4.0.0', undefined]
    ])
  })
})
