import {
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { join } from 'node:path'
import { deflateSync } from 'node:zlib'
import { describe, expect, it } from '@jest/globals'
import { catalog } from '../../../src/sbom/catalog'
import {
  readAuditData,
  rustCataloger,
  type AuditablePackage
} from '../../../src/sbom/catalogers/rust'
import { bufferSource, parseElf } from '../../../src/sbom/elf'
import { ElfCollector, type ElfLimits } from '../../../src/sbom/elf-collector'
import { fileSource } from '../../../src/sbom/sources'
import type { ElfView } from '../../../src/sbom/types'
import { python, run, tempDir } from './helpers'

const layer = 'sha256:' + '6'.repeat(64)
// rustup's cargo, where the machine has it; otherwise the one on PATH.
const cargo =
  process.env.CARGO ??
  (existsSync('/root/.cargo/bin/cargo') ? '/root/.cargo/bin/cargo' : 'cargo')

interface Metadata {
  packages: {
    id: string
    name: string
    version: string
    source: string | null
  }[]
  resolve: {
    nodes: {
      id: string
      deps: { pkg: string; dep_kinds: { kind: string | null }[] }[]
    }[]
  }
}

/**
 * A workspace of three local crates: the binary, a library it uses, and a library only its build
 * script uses. Built by cargo (offline); the audit data is made from `cargo metadata` the way
 * cargo-auditable does (source "local", kind "build" for what only build scripts reach, root
 * flag, dependency indices), zlib-compressed into a `.dep-v0` section added with objcopy.
 */
function buildAuditable(): {
  dir: string
  binary: string
  audit: AuditablePackage[]
} {
  const dir = tempDir('rust')
  const crate = (
    name: string,
    version: string,
    manifest: string,
    files: Record<string, string>
  ) => {
    mkdirSync(join(dir, name, 'src'), { recursive: true })
    writeFileSync(
      join(dir, name, 'Cargo.toml'),
      `[package]\nname = "${name}"\nversion = "${version}"\nedition = "2021"\n${manifest}`
    )
    for (const [file, text] of Object.entries(files))
      writeFileSync(join(dir, name, file), text)
  }
  writeFileSync(
    join(dir, 'Cargo.toml'),
    '[workspace]\nmembers = ["hello-app", "greet", "codegen"]\nresolver = "2"\n'
  )
  crate('greet', '1.2.0', '', {
    'src/lib.rs': 'pub fn hello() -> &\'static str { "hi" }\n'
  })
  crate('codegen', '0.1.0', '', {
    'src/lib.rs': 'pub fn value() -> u32 { 42 }\n'
  })
  crate(
    'hello-app',
    '0.3.1',
    '[dependencies]\ngreet = { path = "../greet" }\n[build-dependencies]\ncodegen = { path = "../codegen" }\n',
    {
      'src/main.rs':
        'fn main() { println!("{} {}", greet::hello(), env!("VALUE")); }\n',
      'build.rs':
        'fn main() { println!("cargo:rustc-env=VALUE={}", codegen::value()); }\n'
    }
  )
  run(cargo, ['build', '--release', '--offline', '--quiet'], dir)
  const metadata = JSON.parse(
    run(cargo, ['metadata', '--format-version', '1', '--offline'], dir)
  ) as Metadata
  const packages = [...metadata.packages].sort((a, b) =>
    a.name < b.name ? -1 : 1
  )
  const index = new Map(packages.map((p, i) => [p.id, i]))
  const root = packages.find(p => p.name === 'hello-app')!
  const node = (id: string) => metadata.resolve.nodes.find(n => n.id === id)!
  const buildOnly = new Set(
    node(root.id)
      .deps.filter(d => d.dep_kinds.every(k => k.kind === 'build'))
      .map(d => d.pkg)
  )
  const audit: AuditablePackage[] = packages.map(p => ({
    name: p.name,
    version: p.version,
    source: p.source === null ? 'local' : p.source.split('+')[0],
    ...(buildOnly.has(p.id) ? { kind: 'build' as const } : {}),
    ...(p.id === root.id ? { root: true } : {}),
    ...(node(p.id).deps.length
      ? {
          dependencies: node(p.id)
            .deps.map(d => index.get(d.pkg)!)
            .sort()
        }
      : {})
  }))
  writeFileSync(
    join(dir, 'audit.z'),
    deflateSync(JSON.stringify({ packages: audit }))
  )
  const binary = join(dir, 'hello-app.bin')
  run('objcopy', [
    '--add-section',
    `.dep-v0=${join(dir, 'audit.z')}`,
    join(dir, 'target/release/hello-app'),
    binary
  ])
  return { dir, binary, audit }
}

/** The audit data as PARSING.md reads it: objcopy dumps the section, zlib inflates it. */
function pythonAuditData(binary: string): AuditablePackage[] {
  const dump = join(tempDir('dep-v0'), 'section')
  run('objcopy', ['--dump-section', `.dep-v0=${dump}`, binary])
  return (
    JSON.parse(
      python([
        '-c',
        'import json,sys,zlib; print(zlib.decompress(open(sys.argv[1],"rb").read()).decode())',
        dump
      ])
    ) as { packages: AuditablePackage[] }
  ).packages
}

/** The kept view of a streamed executable; `kept` gets the bytes it holds. */
async function streamed(
  path: string,
  limits?: ElfLimits,
  kept?: (bytes: number) => void
): Promise<ElfView | undefined> {
  const collector = new ElfCollector(statSync(path).size, limits)
  for await (const chunk of createReadStream(path, { highWaterMark: 8192 }))
    collector.push(chunk as Buffer)
  const view = collector.finish()
  kept?.(collector.keptBytes)
  return view
}

describe('rust', () => {
  const { binary, audit } = buildAuditable()

  it('lists the crates compiled into a cargo-auditable binary, not build-time ones', async () => {
    expect(pythonAuditData(binary)).toEqual(audit)
    expect(audit.map(p => [p.name, p.kind ?? 'runtime'])).toEqual([
      ['codegen', 'build'],
      ['greet', 'runtime'],
      ['hello-app', 'runtime']
    ])
    const { packages } = await catalog([
      await fileSource(binary, 'usr/local/bin/hello-app', layer)
    ])
    expect(packages).toEqual([
      {
        type: 'cargo',
        name: 'greet',
        version: '1.2.0',
        purl: 'pkg:cargo/greet@1.2.0',
        locations: [{ layer, path: 'usr/local/bin/hello-app' }]
      },
      {
        type: 'cargo',
        name: 'hello-app',
        version: '0.3.1',
        purl: 'pkg:cargo/hello-app@0.3.1',
        locations: [{ layer, path: 'usr/local/bin/hello-app' }]
      }
    ])
  })

  it('finds the section in a stream, with or without symbols', async () => {
    const stripped = binary + '-stripped'
    run('strip', ['-o', stripped, binary])
    for (const path of [binary, stripped]) {
      let kept = Infinity
      expect(
        readAuditData((await streamed(path, undefined, b => (kept = b)))!)
      ).toEqual(audit)
      // Headers, section tables and .dep-v0 stay, not the rest of the tail (symbols, debug info).
      expect(kept).toBeLessThan(64 * 1024)
    }
  })

  it('keeps no more than its limits: a section outside them is not read', async () => {
    const whole = parseElf(bufferSource(readFileSync(binary)))!
    expect(readAuditData(whole)).toEqual(audit)
    const tiny = await streamed(binary, {
      goBytes: 64,
      tailHead: 16,
      tailEnd: 16
    })
    expect(tiny!.section('.dep-v0')).toBeUndefined()
    expect(readAuditData(tiny!)).toBeUndefined()
  })

  it('reports audit data that does not inflate and goes on', async () => {
    const dir = tempDir('bad-dep')
    writeFileSync(join(dir, 'junk'), 'not zlib')
    const bad = join(dir, 'bad')
    run('objcopy', [
      '--add-section',
      `.dep-v0=${join(dir, 'junk')}`,
      binary.replace(/hello-app\.bin$/, 'target/release/hello-app'),
      bad
    ])
    const warnings: string[] = []
    const { packages } = await catalog([await fileSource(bad, 'bad', layer)], {
      warn: m => warnings.push(m)
    })
    expect(packages).toEqual([])
    expect(warnings).toEqual([expect.stringMatching(/^bad: \.dep-v0: /)])
  })

  it('reports an executable it cannot read and still lists the others', async () => {
    const warnings: string[] = []
    const { packages } = await catalog(
      [
        {
          path: 'usr/bin/broken',
          size: 64,
          mode: 0o755,
          read: async () => Buffer.alloc(64),
          elf: async () => {
            throw new Error('usr/bin/broken changed since the layer was built')
          }
        },
        await fileSource(binary, 'usr/bin/hello-app', layer)
      ],
      { catalogers: [rustCataloger], warn: m => warnings.push(m) }
    )
    expect(packages.length).toBe(
      audit.filter(crate => crate.kind !== 'build').length
    )
    expect(warnings).toEqual([
      'usr/bin/broken: usr/bin/broken changed since the layer was built'
    ])
  })
})
