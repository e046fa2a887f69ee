import {
  chmodSync,
  createReadStream,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { catalog } from '../../../src/sbom/catalog'
import { readGoBuildInfo } from '../../../src/sbom/catalogers/go'
import { bufferSource, parseElf } from '../../../src/sbom/elf'
import { parseOsRelease } from '../../../src/sbom/distro'
import { npmPurl } from '../../../src/sbom/purl'
import { catalogLayers, mergeLayers, scanLayer } from '../../../src/sbom/scan'
import { requireTool } from '../../helpers/tools'
import { run, tempDir, warnings } from './helpers'

const root = process.cwd()
const [base, app, changes] = ['a', 'b', 'c'].map(c => 'sha256:' + c.repeat(64))

function put(
  dir: string,
  path: string,
  content: string | Buffer,
  mode = 0o644
): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true })
  writeFileSync(join(dir, path), content)
  chmodSync(join(dir, path), mode)
}

function copy(dir: string, path: string, from: string, mode = 0o644): void {
  put(dir, path, readFileSync(from), mode)
}

/** A layer blob GNU tar writes from a folder (`--zstd`, `--gzip` or plain; gnu, pax or ustar headers). */
function tarLayer(dir: string, out: string, options: string[]): string {
  run('tar', ['--create', '--file', out, ...options, '--directory', dir, '.'])
  return out
}

const kubectl = realpathSync(requireTool('kubectl'))
const umoci = realpathSync(requireTool('umoci'))
const status = readFileSync('/var/lib/dpkg/status', 'utf8')
const paragraphs = status.split(/\n\n+/).filter(p => p.trim() !== '')
const removed = /^Package: (.+)$/m.exec(paragraphs[1])![1]
const sitePackages = run('python3', [
  '-c',
  'import sysconfig; print(sysconfig.get_paths()["purelib"])'
]).trim()
const distInfo = readdirSync(sitePackages).find(
  d =>
    d.endsWith('.dist-info') &&
    readdirSync(join(sitePackages, d)).includes('METADATA')
)!
const longDir =
  'app/node_modules/' +
  Array.from({ length: 6 }, (_, i) => `nested-package-${i}/node_modules`).join(
    '/'
  )

/**
 * Three layers as a build would stack them, made by GNU tar from real files:
 *  1. base (zstd, GNU headers): this machine's dpkg status and os-release, kubectl, umoci and a
 *     Python distribution;
 *  2. app (gzip, pax headers): npm manifests from this repository (one under a path longer than
 *     ustar's 100 bytes), a jar from Debian's Maven and a hard link to it;
 *  3. changes (plain, ustar): `apt-get remove` of one package (a rewritten status), `rm -rf` of
 *     an npm package (whiteout), a replaced site-packages (opaque directory) and umoci replaced by
 *     a shell script.
 */
function layers(): string[] {
  const dir = tempDir('layers')
  const l1 = join(dir, 'l1')
  copy(l1, 'etc/os-release', '/etc/os-release')
  put(l1, 'var/lib/dpkg/status', status)
  copy(l1, 'usr/local/bin/kubectl', kubectl, 0o755)
  copy(l1, 'usr/bin/umoci', umoci, 0o755)
  for (const f of readdirSync(join(sitePackages, distInfo), {
    withFileTypes: true
  })
    .filter(e => e.isFile())
    .map(e => e.name))
    copy(
      l1,
      `usr/lib/python3/dist-packages/${distInfo}/${f}`,
      join(sitePackages, distInfo, f)
    )
  const l2 = join(dir, 'l2')
  copy(
    l2,
    'app/node_modules/yaml/package.json',
    join(root, 'node_modules/yaml/package.json')
  )
  copy(
    l2,
    'app/node_modules/@sigstore/sign/package.json',
    join(root, 'node_modules/@sigstore/sign/package.json')
  )
  copy(
    l2,
    `${longDir}/semver/package.json`,
    join(root, 'node_modules/@actions/cache/node_modules/semver/package.json')
  )
  copy(l2, 'app/lib/commons-cli.jar', '/usr/share/maven/lib/commons-cli.jar')
  linkSync(join(l2, 'app/lib/commons-cli.jar'), join(l2, 'app/lib/cli.jar'))
  const l3 = join(dir, 'l3')
  put(
    l3,
    'var/lib/dpkg/status',
    paragraphs.filter((_, i) => i !== 1).join('\n\n') + '\n'
  )
  put(l3, 'app/node_modules/.wh.yaml', '')
  put(l3, 'usr/lib/python3/dist-packages/.wh..wh..opq', '')
  put(l3, 'usr/bin/umoci', '#!/bin/sh\necho replaced\n', 0o755)
  return [
    tarLayer(l1, join(dir, 'l1.tar.zst'), ['--zstd', '--format=gnu']),
    tarLayer(l2, join(dir, 'l2.tar.gz'), ['--gzip', '--format=pax']),
    tarLayer(l3, join(dir, 'l3.tar'), ['--format=ustar'])
  ]
}

describe('layer scanner', () => {
  const blobs = layers()
  const ids = [base, app, changes]

  it('catalogs the image the layers make, whiteouts and replacements applied', async () => {
    const w = warnings()
    const scans = await Promise.all(
      blobs.map((blob, i) =>
        scanLayer(createReadStream(blob, { highWaterMark: 16384 }), ids[i], {
          warn: w.warn
        })
      )
    )
    expect(w.list).toEqual([])
    const { packages, distro } = await catalogLayers(scans)
    expect(distro).toEqual(
      parseOsRelease(readFileSync('/etc/os-release', 'utf8'))
    )

    const deb = packages.filter(p => p.type === 'deb')
    expect(deb).toHaveLength(paragraphs.length - 1)
    expect(deb.find(p => p.name === removed)).toBeUndefined()
    expect(
      deb.every(
        p => p.locations.length === 1 && p.locations[0].layer === changes
      )
    ).toBe(true)

    const go = packages.filter(p => p.type === 'golang')
    const info = readGoBuildInfo(
      parseElf(bufferSource(readFileSync(kubectl)))!
    )!
    expect(go.length).toBe(
      new Set(
        [info.main, ...info.deps].map(m =>
          m?.replace?.version ? m.replace.path : m?.path
        )
      ).size + 1
    )
    expect(
      go.every(
        p =>
          p.locations.length === 1 &&
          p.locations[0].path === 'usr/local/bin/kubectl' &&
          p.locations[0].layer === base
      )
    ).toBe(true)

    const npm = packages.filter(p => p.type === 'npm')
    const semver = JSON.parse(
      readFileSync(
        join(
          root,
          'node_modules/@actions/cache/node_modules/semver/package.json'
        ),
        'utf8'
      )
    )
    const sign = JSON.parse(
      readFileSync(
        join(root, 'node_modules/@sigstore/sign/package.json'),
        'utf8'
      )
    )
    expect(npm.map(p => [p.purl, p.locations])).toEqual(
      [
        [
          npmPurl('@sigstore/sign', sign.version),
          [{ layer: app, path: 'app/node_modules/@sigstore/sign/package.json' }]
        ],
        [
          npmPurl('semver', semver.version),
          [{ layer: app, path: `${longDir}/semver/package.json` }]
        ]
      ].sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1))
    )

    const java = packages.filter(p => p.type === 'maven')
    expect(java).toHaveLength(1)
    expect(java[0].locations).toEqual([
      { layer: app, path: 'app/lib/cli.jar' },
      { layer: app, path: 'app/lib/commons-cli.jar' }
    ])
    expect(packages.filter(p => p.type === 'pypi')).toEqual([])
    expect(
      packages.filter(p => !['deb', 'golang', 'npm', 'maven'].includes(p.type))
    ).toEqual([])
  })

  it('lists the Python distribution and umoci when the last layer is left out', async () => {
    const scans = await Promise.all(
      blobs
        .slice(0, 2)
        .map((blob, i) => scanLayer(createReadStream(blob), ids[i]))
    )
    const { packages } = await catalogLayers(scans)
    expect(packages.filter(p => p.type === 'pypi')).toHaveLength(1)
    expect(
      packages.find(p => p.name === removed && p.type === 'deb')
    ).toBeDefined()
    expect(packages.find(p => p.name === 'yaml')).toBeDefined()
    expect(
      packages.filter(p => p.locations.some(l => l.path === 'usr/bin/umoci'))
    ).toHaveLength(1)
  })

  it('keeps only what catalogers read, and skips files over the size limit', async () => {
    const w = warnings()
    // Room for os-release and METADATA, not for the dpkg database.
    const limit = Math.max(
      statSync('/etc/os-release').size,
      statSync(join(sitePackages, distInfo, 'METADATA')).size
    )
    expect(limit).toBeLessThan(Buffer.byteLength(status))
    const scan = await scanLayer(createReadStream(blobs[0]), base, {
      maxFileSize: limit,
      warn: w.warn
    })
    expect(w.list).toEqual([
      `${base}: var/lib/dpkg/status: ${Buffer.byteLength(status)} bytes is over the ${limit}-byte limit, not read`
    ])
    const kept = [...scan.kept.keys()].sort()
    expect(kept).toEqual(
      [
        'etc/os-release',
        'usr/bin/umoci',
        'usr/local/bin/kubectl',
        `usr/lib/python3/dist-packages/${distInfo}/METADATA`
      ].sort()
    )
    // Executables are kept as the parts the binary catalogers read, never whole.
    expect(scan.kept.get('usr/local/bin/kubectl')!.data).toBeUndefined()
    const files = mergeLayers([scan])
    await expect(
      files.find(f => f.path === 'usr/local/bin/kubectl')!.read()
    ).rejects.toThrow('content was not kept')
    expect((await catalog(files)).packages.some(p => p.type === 'golang')).toBe(
      true
    )
  })

  it('refuses what is not a tar archive, and a cut one', async () => {
    await expect(scanLayer([Buffer.alloc(1024, 'x')], base)).rejects.toThrow(
      'not a tar archive (header checksum mismatch)'
    )
    const whole = readFileSync(blobs[2])
    const statusAt = whole.indexOf('Package: ')
    await expect(
      scanLayer([whole.subarray(0, statusAt + 1000)], base)
    ).rejects.toThrow('tar archive is truncated')
    await expect(
      scanLayer([whole.subarray(0, 1536 + 100)], base)
    ).rejects.toThrow('tar archive is truncated')
  })

  it('reads the same from any chunking', async () => {
    const whole = readFileSync(blobs[1])
    const chunks: Buffer[] = []
    for (let i = 0; i < whole.length; i += 7)
      chunks.push(whole.subarray(i, i + 7))
    const a = await scanLayer([whole], app)
    const b = await scanLayer(chunks, app)
    expect([...b.kept.keys()].sort()).toEqual([...a.kept.keys()].sort())
    expect([...b.paths].sort()).toEqual([...a.paths].sort())
  })
})
