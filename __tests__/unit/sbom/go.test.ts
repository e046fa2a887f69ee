import { createReadStream, readFileSync, realpathSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { catalog, readMode } from '../../../src/sbom/catalog'
import { goCataloger, readGoBuildInfo } from '../../../src/sbom/catalogers/go'
import { bufferSource, parseElf } from '../../../src/sbom/elf'
import { ElfCollector } from '../../../src/sbom/elf-collector'
import { golangPurl } from '../../../src/sbom/purl'
import { fileSource } from '../../../src/sbom/sources'
import type { ElfView, FileSource } from '../../../src/sbom/types'
import { requireTool } from '../../helpers/tools'
import { memorySource, run, tempDir } from './helpers'

const layer = 'sha256:' + '5'.repeat(64)

/**
 * What binutils see in a Go executable's `.go.buildinfo` section: objcopy dumps it, strings
 * splits it into lines (the module list is tab-separated text), as `go version -m` would print.
 */
function binutilsBuildInfo(binary: string): {
  goVersion: string
  lines: string[][]
} {
  const dump = join(tempDir('buildinfo'), 'section')
  run('objcopy', ['-O', 'binary', '--only-section=.go.buildinfo', binary, dump])
  const text = run('strings', ['-n', '3', dump]).split('\n')
  const goVersion = text
    .map(l => /(go1\.\d+(\.\d+)?)/.exec(l)?.[1])
    .find(Boolean)!
  // strings may glue a printable length byte in front of a line's first field.
  const lines = text
    .map(l => l.split('\t'))
    .map(([kind, ...rest]) => [
      /(path|mod|dep|=>)$/.exec(kind)?.[1] ?? '',
      ...rest
    ])
    .filter(([kind]) => kind !== '')
  return { goVersion, lines }
}

/** The packages binutils' view implies: stdlib, then each module as replaced. */
function expectedPurls(binary: string): string[] {
  const { goVersion, lines } = binutilsBuildInfo(binary)
  const purls = [golangPurl('stdlib', goVersion.slice(2))]
  const modules: string[][] = []
  for (const [kind, ...rest] of lines) {
    if (kind === 'mod' || kind === 'dep') modules.push(rest)
    else if (kind === '=>' && rest[1]) modules[modules.length - 1] = rest
  }
  for (const [path, version] of modules) purls.push(golangPurl(path, version))
  return [...new Set(purls)].sort()
}

async function streamed(
  path: string,
  highWaterMark: number
): Promise<{ elf: ElfView | undefined; peak: number; kept: number }> {
  const collector = new ElfCollector(statSync(path).size)
  let peak = 0
  for await (const chunk of createReadStream(path, { highWaterMark })) {
    collector.push(chunk as Buffer)
    peak = Math.max(peak, collector.keptBytes)
  }
  const elf = collector.finish()
  return { elf, peak, kept: collector.keptBytes }
}

describe('go', () => {
  // kubectl is built in module mode; Debian's own Go packages (docker-registry) are not.
  const kubectl = realpathSync(requireTool('kubectl'))
  const registry = realpathSync(requireTool('docker-registry'))

  it('lists stdlib, the main module and every dependency binutils find in kubectl', async () => {
    const expected = expectedPurls(kubectl)
    expect(expected.length).toBeGreaterThan(50)
    const { packages } = await catalog([
      await fileSource(kubectl, 'usr/local/bin/kubectl', layer)
    ])
    expect(packages.map(p => p.purl)).toEqual(expected)
    const info = readGoBuildInfo(
      parseElf(bufferSource(readFileSync(kubectl)))!
    )!
    expect(info.path).toMatch(/^k8s\.io\//)
    expect(
      packages.every(
        p =>
          p.type === 'golang' && p.locations[0].path === 'usr/local/bin/kubectl'
      )
    ).toBe(true)
  })

  it('finds the same in a stream, keeping a small part of a large executable', async () => {
    const whole = readGoBuildInfo(
      parseElf(bufferSource(readFileSync(kubectl)))!
    )
    for (const highWaterMark of [65536, 4093]) {
      const { elf, peak, kept } = await streamed(kubectl, highWaterMark)
      expect(readGoBuildInfo(elf!)).toEqual(whole)
      // Headers, build info and the bounded tail: far below the 57 MB file.
      expect(peak).toBeLessThan(10 * 1024 * 1024)
      // Once read, only what the catalogers use stays: the build info and the section tables.
      expect(kept).toBeLessThan(1.5 * 1024 * 1024)
    }
  })

  it('lists only the toolchain of a GOPATH build (no module information), as Debian builds', async () => {
    const { goVersion, lines } = binutilsBuildInfo(registry)
    expect(lines.filter(([kind]) => kind === 'mod')).toEqual([])
    const { packages } = await catalog([
      await fileSource(registry, 'bin/registry', layer)
    ])
    expect(packages.map(p => p.purl)).toEqual([
      `pkg:golang/stdlib@${goVersion.slice(2)}`
    ])
    const { elf } = await streamed(registry, 16384)
    expect(readGoBuildInfo(elf!)).toEqual(
      readGoBuildInfo(parseElf(bufferSource(readFileSync(registry)))!)
    )
  })

  it('uses the replacement module, and leaves out local replacements', async () => {
    const { goPackages, parseGoModinfo } =
      await import('../../../src/sbom/catalogers/go')
    const info = parseGoModinfo(
      'go1.22.1 X:boringcrypto',
      [
        'path\texample.com/app',
        'mod\texample.com/app\t(devel)\t',
        'dep\tgolang.org/x/net\tv0.1.0\th1:a=',
        '=>\tgithub.com/fork/net\tv0.1.1\th1:b=',
        'dep\texample.com/local\tv1.0.0\t',
        '=>\t../local\t\t',
        'build\t-compiler=gc'
      ].join('\n')
    )
    expect(goPackages(info, { layer, path: 'app' }).map(p => p.purl)).toEqual([
      'pkg:golang/stdlib@1.22.1',
      'pkg:golang/example.com/app@%28devel%29',
      'pkg:golang/github.com/fork/net@v0.1.1',
      'pkg:golang/example.com/local@v1.0.0'
    ])
  })

  it('reads executables as ELF and ignores scripts', async () => {
    expect(readMode('usr/bin/anything', 0o755)).toBe('elf')
    expect(readMode('usr/bin/anything', 0o644)).toBeUndefined()
    const script: FileSource = memorySource(
      'usr/bin/run',
      '#!/bin/sh\necho hi\n',
      { mode: 0o755 }
    )
    expect((await catalog([script])).packages).toEqual([])
    const collector = new ElfCollector(20)
    collector.push(Buffer.from('#!/bin/sh\necho hi\n'))
    expect(collector.finish()).toBeUndefined()
    expect(collector.keptBytes).toBe(0)
  })

  it('reports an executable it cannot read and still lists the others', async () => {
    const w = { list: [] as string[], warn: (m: string) => w.list.push(m) }
    const broken: FileSource = {
      ...memorySource('usr/bin/broken', Buffer.alloc(64), { mode: 0o755 }),
      elf: async () => {
        throw new RangeError('The value of "offset" is out of range')
      }
    }
    const kubectlSource = await fileSource(
      kubectl,
      'usr/local/bin/kubectl',
      layer
    )
    const { packages } = await catalog([broken, kubectlSource], {
      catalogers: [goCataloger],
      warn: w.warn
    })
    expect(packages.map(p => p.purl)).toEqual(expectedPurls(kubectl))
    expect(w.list).toEqual([
      'usr/bin/broken: The value of "offset" is out of range'
    ])
  })
})
