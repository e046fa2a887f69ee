import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from '@jest/globals'
import { catalog } from '../../../src/sbom/catalog'
import { parseApkInstalled } from '../../../src/sbom/catalogers/apk'
import { copyrightLicenses } from '../../../src/sbom/catalogers/dpkg'
import { parseOsRelease } from '../../../src/sbom/distro'
import { purl } from '../../../src/sbom/purl'
import { fileSource } from '../../../src/sbom/sources'
import { memorySource, run, warnings } from './helpers'

const layer = 'sha256:' + '1'.repeat(64)

describe('dpkg', () => {
  it("lists exactly what dpkg-query reports of this machine's status database", async () => {
    const w = warnings()
    const { packages, distro } = await catalog(
      [
        await fileSource('/var/lib/dpkg/status', 'var/lib/dpkg/status'),
        await fileSource('/etc/os-release', 'etc/os-release')
      ],
      { layer, warn: w.warn }
    )
    expect(w.list).toEqual([])
    const osRelease = parseOsRelease(readFileSync('/etc/os-release', 'utf8'))!
    expect(distro).toEqual(osRelease)
    // dpkg's own view: installed packages (Status-Abbrev second letter i/U/F/W/t…, not n or c).
    const expected = run('dpkg-query', [
      '-W',
      '-f',
      '${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n'
    ])
      .trim()
      .split('\n')
      .map(line => line.split('\t'))
      .filter(([status]) => !/^.[nc]/.test(status))
    expect(packages).toHaveLength(expected.length)
    const byPurl = new Map(packages.map(p => [p.purl, p]))
    const distroQualifier = `${osRelease.id}-${osRelease.versionId}`
    for (const [, name, version, arch, srcName, srcVersion] of expected) {
      const upstream =
        srcName === name && srcVersion === version
          ? undefined
          : srcVersion === version
            ? srcName
            : `${srcName}@${srcVersion}`
      const expectedPurl = purl({
        type: 'deb',
        namespace: osRelease.id,
        name,
        version,
        qualifiers: { arch, distro: distroQualifier, upstream }
      })
      const found = byPurl.get(expectedPurl)
      expect({ expectedPurl, found: !!found }).toEqual({
        expectedPurl,
        found: true
      })
      expect(found!).toMatchObject({
        type: 'deb',
        name,
        version,
        locations: [{ layer, path: 'var/lib/dpkg/status' }]
      })
    }
  })

  it('spells a purl the way the spec does (epoch colon kept, + encoded)', async () => {
    const { packages } = await catalog([
      memorySource(
        'var/lib/dpkg/status',
        [
          'Package: attr',
          'Status: install ok installed',
          'Architecture: amd64',
          'Version: 1:2.4.47-2+b1',
          '',
          'Package: gone',
          'Status: deinstall ok config-files',
          'Architecture: amd64',
          'Version: 1.0-1',
          ''
        ].join('\n')
      )
    ])
    expect(packages.map(p => p.purl)).toEqual([
      'pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64'
    ])
  })

  it("takes declared licences from the DEP-5 copyright files, as grep '^License:' finds them", async () => {
    const names = readdirSync('/usr/share/doc').filter(name => {
      try {
        return /^Format: .*copyright-format/m.test(
          readFileSync(`/usr/share/doc/${name}/copyright`, 'utf8')
        )
      } catch {
        return false
      }
    })
    expect(names.length).toBeGreaterThan(10)
    const status = readFileSync('/var/lib/dpkg/status', 'utf8')
    const files = [memorySource('var/lib/dpkg/status', status)]
    for (const name of names)
      files.push(
        await fileSource(
          `/usr/share/doc/${name}/copyright`,
          `usr/share/doc/${name}/copyright`
        )
      )
    const { packages } = await catalog(files, { layer })
    // One grep over every file: `path:License: value` lines, in file order.
    const grep = new Map<string, string[]>()
    for (const line of run('grep', [
      '-H',
      '^License:',
      ...names.map(name => `/usr/share/doc/${name}/copyright`)
    ]).split('\n')) {
      const match = /^\/usr\/share\/doc\/([^/]+)\/copyright:License:(.*)$/.exec(
        line
      )
      if (!match || !match[2].trim()) continue
      const list = grep.get(match[1]) ?? []
      if (!list.includes(match[2].trim())) list.push(match[2].trim())
      grep.set(match[1], list)
    }
    let checked = 0
    for (const name of names) {
      const pkg = packages.find(p => p.name === name)
      if (!pkg) continue // a doc folder of a package under another name
      expect({ name, licenses: pkg.licenses }).toEqual({
        name,
        licenses: grep.get(name)
      })
      checked++
    }
    expect(checked).toBeGreaterThan(10)
    expect(
      copyrightLicenses('License: MIT\nLicense: GPL-2+\n  text\nLicense: MIT\n')
    ).toEqual(['MIT', 'GPL-2+'])
  })

  it("reads distroless's status.d (one file per package, .md5sums beside it)", async () => {
    // What distroless writes per package: the control paragraph (no Status) and its md5sums.
    const control = run('dpkg-query', ['-s', 'base-files'])
      .split('\n')
      .filter(line => !line.startsWith('Status:'))
      .join('\n')
    const version = run('dpkg-query', ['-W', '-f', '${Version}', 'base-files'])
    const arch = run('dpkg-query', [
      '-W',
      '-f',
      '${Architecture}',
      'base-files'
    ])
    const { packages } = await catalog(
      [
        memorySource('var/lib/dpkg/status.d/base-files', control),
        memorySource(
          'var/lib/dpkg/status.d/base-files.md5sums',
          readFileSync('/var/lib/dpkg/info/base-files.md5sums')
        ),
        memorySource(
          'etc/os-release',
          'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Distroless"\n'
        )
      ],
      { layer }
    )
    expect(packages).toEqual([
      {
        type: 'deb',
        name: 'base-files',
        version,
        purl: purl({
          type: 'deb',
          namespace: 'debian',
          name: 'base-files',
          version,
          qualifiers: { arch, distro: 'debian-12' }
        }),
        locations: [{ layer, path: 'var/lib/dpkg/status.d/base-files' }]
      }
    ])
  })
})

/*
 * An apk installed database written by hand in the format apk-tools keeps in
 * lib/apk/db/installed (Alpine wiki, "Apk spec": one `X:value` field a line, a blank line between
 * packages, R:/Z:/a:/M: repeated per file). Names, versions, origins and licences are those of
 * Alpine 3.20's musl, busybox and its ssl_client subpackage; checksums and file lists shortened.
 */
const alpineInstalled = `C:Q1jCkzE5ax5ayjTwJW3Ii0BtWyGf8=
P:musl
V:1.2.5-r0
A:x86_64
S:411932
I:662528
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Natanael Copa <ncopa@alpinelinux.org>
t:1712325590
c:c81c37b6d6d0ab2d14ce0b4a1f31e9e2cbf3d1aa
p:so:libc.musl-x86_64.so.1=1
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1Xf4GIGwo5RJWGkuD6H9/J4fD4ns=
R:libc.musl-x86_64.so.1

C:Q1u6Rp9cDGRsk3ED9A5DHFsgL7rz4=
P:busybox
V:1.36.1-r29
A:x86_64
S:512467
I:946176
T:Size optimized toolbox of many common UNIX utilities
U:https://busybox.net/
L:GPL-2.0-only
o:busybox
m:Sören Tempel <soeren+alpine@soeren-tempel.net>
t:1715093232
c:1a0c0f4eb9a0e5a1a7b5d5ef5d9e26c1c3dbec71
D:so:libc.musl-x86_64.so.1
F:bin
R:busybox
a:0:0:755

C:Q1yH7cfHJEh0hyqwoyOFBj2f5WTm4=
P:ssl_client
V:1.36.1-r29
A:x86_64
L:GPL-2.0-only
o:busybox
D:so:libc.musl-x86_64.so.1 so:libcrypto.so.3 so:libssl.so.3
F:usr
F:usr/bin
R:ssl_client
`

describe('apk', () => {
  it('lists the installed database with origin as upstream and the distro from os-release', async () => {
    const { packages, distro } = await catalog(
      [
        memorySource('lib/apk/db/installed', alpineInstalled),
        memorySource(
          'etc/os-release',
          'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME="Alpine Linux v3.20"\n'
        )
      ],
      { layer }
    )
    expect(distro).toEqual({
      id: 'alpine',
      versionId: '3.20.3',
      prettyName: 'Alpine Linux v3.20'
    })
    const where = [{ layer, path: 'lib/apk/db/installed' }]
    expect(packages).toEqual([
      {
        type: 'apk',
        name: 'busybox',
        version: '1.36.1-r29',
        purl: 'pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64&distro=alpine-3.20.3',
        licenses: ['GPL-2.0-only'],
        locations: where
      },
      {
        type: 'apk',
        name: 'musl',
        version: '1.2.5-r0',
        purl: 'pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3',
        licenses: ['MIT'],
        locations: where
      },
      {
        type: 'apk',
        name: 'ssl_client',
        version: '1.36.1-r29',
        purl: 'pkg:apk/alpine/ssl_client@1.36.1-r29?arch=x86_64&distro=alpine-3.20.3&upstream=busybox',
        licenses: ['GPL-2.0-only'],
        locations: where
      }
    ])
  })

  it('names Wolfi packages after the os-release ID', async () => {
    const { packages } = await catalog([
      memorySource('lib/apk/db/installed', alpineInstalled),
      memorySource('usr/lib/os-release', 'ID=wolfi\nVERSION_ID=20230201\n')
    ])
    expect(packages[0].purl).toBe(
      'pkg:apk/wolfi/busybox@1.36.1-r29?arch=x86_64&distro=wolfi-20230201'
    )
  })

  it('keeps the first value of repeated per-file keys', () => {
    const [musl] = parseApkInstalled(alpineInstalled)
    expect(musl.get('R')).toBe('ld-musl-x86_64.so.1')
    expect(musl.get('P')).toBe('musl')
  })
})
