import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { catalog } from '../../../src/sbom/catalog'
import { pypiPurl } from '../../../src/sbom/purl'
import { fileSource } from '../../../src/sbom/sources'
import type { FileSource } from '../../../src/sbom/types'
import { memorySource, python, tempDir, warnings } from './helpers'

const layer = 'sha256:' + '3'.repeat(64)

interface Distribution {
  name: string
  version: string
  expression: string | null
  license: string | null
  classifiers: string[]
}

/** Python's own reading (importlib.metadata) of the distributions installed in `dir`. */
function importlibMetadata(dir: string): Distribution[] {
  const script = `
import importlib.metadata as m, json, sys
out = []
for d in m.distributions(path=[sys.argv[1]]):
    md = d.metadata
    out.append({"name": md["Name"], "version": d.version,
                "expression": md.get("License-Expression"), "license": md.get("License"),
                "classifiers": [c for c in (md.get_all("Classifier") or []) if c.startswith("License ::")]})
print(json.dumps(out))
`
  return JSON.parse(python(['-c', script, dir])) as Distribution[]
}

/** The licences core metadata declares: PEP 639's expression, a one-line License, or trove classifiers. */
function declared(d: Distribution): string[] | undefined {
  if (d.expression) return [d.expression]
  if (
    d.license &&
    !d.license.includes('\n') &&
    d.license.length <= 120 &&
    !/^(unknown|none)$/i.test(d.license)
  )
    return [d.license]
  const names = d.classifiers
    .map(c => c.split('::').pop()!.trim())
    .filter(n => n && n !== 'OSI Approved')
  return names.length > 0 ? names : undefined
}

/** Metadata files of the distributions in a site-packages folder, at `image` in the image. */
async function metadataFiles(
  dir: string,
  image: string
): Promise<FileSource[]> {
  const files: FileSource[] = []
  for (const entry of readdirSync(dir)) {
    const candidates = entry.endsWith('.dist-info')
      ? [`${entry}/METADATA`]
      : entry.endsWith('.egg-info')
        ? statSync(join(dir, entry)).isDirectory()
          ? [`${entry}/PKG-INFO`]
          : [entry]
        : []
    for (const c of candidates) {
      try {
        files.push(await fileSource(join(dir, c), `${image}/${c}`))
      } catch {
        // an egg-info folder without PKG-INFO
      }
    }
  }
  return files
}

describe('python', () => {
  const sitePackages = python([
    '-c',
    'import sysconfig; print(sysconfig.get_paths()["purelib"])'
  ]).trim()

  it('lists what importlib.metadata lists in the interpreter’s site-packages', async () => {
    const expected = importlibMetadata(sitePackages)
    expect(expected.length).toBeGreaterThan(5)
    const image = 'usr/local/lib/python3/site-packages'
    const w = warnings()
    const { packages } = await catalog(
      await metadataFiles(sitePackages, image),
      { layer, warn: w.warn }
    )
    expect(w.list).toEqual([])
    const ids = (list: { name: string; version: string }[]) =>
      [...new Set(list.map(d => `${d.name}@${d.version}`))].sort()
    expect(ids(packages)).toEqual(ids(expected))
    for (const d of expected) {
      const found = packages.find(p => p.purl === pypiPurl(d.name, d.version))!
      expect(found.purl).toMatch(/^pkg:pypi\/[a-z0-9.-]+@/)
      expect(found.locations[0].path).toMatch(
        new RegExp(
          `^${image}/[^/]+\\.(dist-info/METADATA|egg-info(/PKG-INFO)?)$`
        )
      )
      expect(found.licenses).toEqual(declared(d))
    }
    expect(packages.some(p => p.licenses?.length)).toBe(true)
  })

  it('reads a PKG-INFO setuptools writes (egg-info), name normalised in the purl', () => {
    const dir = tempDir('egg')
    mkdirSync(join(dir, 'src'))
    writeFileSync(
      join(dir, 'setup.py'),
      `from setuptools import setup
setup(name="Imprint_Probe", version="0.4.2", license="BSD-3-Clause",
      classifiers=["License :: OSI Approved :: BSD License"], packages=[])
`
    )
    python(['setup.py', '-q', 'egg_info'], dir)
    // setuptools writes the name as it normalises it (Imprint-Probe, or as given in older ones).
    const [expected] = importlibMetadata(dir)
    expect(expected.name.toLowerCase().replace(/_/g, '-')).toBe('imprint-probe')
    expect(expected.version).toBe('0.4.2')
    return metadataFiles(dir, 'app').then(async files => {
      expect(files.map(f => f.path)).toEqual([
        'app/Imprint_Probe.egg-info/PKG-INFO'
      ])
      const { packages } = await catalog(files, { layer })
      expect(packages).toEqual([
        {
          type: 'pypi',
          name: expected.name,
          version: '0.4.2',
          purl: 'pkg:pypi/imprint-probe@0.4.2',
          licenses: ['BSD-3-Clause'],
          locations: [{ layer, path: 'app/Imprint_Probe.egg-info/PKG-INFO' }]
        }
      ])
    })
  })

  it('falls back to trove classifiers, and ignores a licence text in License', async () => {
    const metadata = [
      'Metadata-Version: 2.1',
      'Name: demo',
      'Version: 1.0',
      'License: Copyright (c) someone',
      '        ',
      '        Permission is hereby granted, free of charge',
      'Classifier: License :: OSI Approved :: MIT License',
      'Classifier: Programming Language :: Python',
      '',
      'License: not a header, the description'
    ].join('\n')
    const { packages } = await catalog([
      memorySource('lib/demo-1.0.dist-info/METADATA', metadata)
    ])
    expect(packages[0].licenses).toEqual(['MIT License'])
  })
})
