import { execFileSync, spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { runAction } from '../helpers/action'
import { catalog, startRegistry, type TestRegistry } from '../helpers/registry'
import { requireTool } from '../helpers/tools'
import { gitWorkspace } from '../helpers/workspace'

let registry: TestRegistry
beforeAll(async () => {
  registry = await startRegistry()
})
afterAll(async () => registry?.stop())

const ws = gitWorkspace({ 'app/a.txt': 'a\n' })
const valid = (): Record<string, string> => ({
  image: `${registry.host}/acme/bad`,
  base: 'scratch',
  layers: 'app:/app'
})

describe('bad input', () => {
  it.each([
    [
      'image',
      { image: 'ghcr.io/acme/my api' },
      /^::error::Input "image": .*"my api" is not a valid repository path component/
    ],
    [
      'image',
      { image: '127.0.0.1:5000/acme/bad:tag' },
      /^::error::Input "image": .*without a tag or digest/
    ],
    [
      'base',
      { base: 'alpine@sha256:1234' },
      /^::error::Input "base": .*invalid digest/
    ],
    [
      'layers',
      { layers: 'app' },
      /^::error::Input "layers": "app" has no destination/
    ],
    [
      'layers',
      { layers: 'app:app' },
      /^::error::Input "layers": .*must be an absolute path/
    ],
    [
      'layers',
      { layers: 'missing:/app' },
      /^::error::Input "layers": source "missing" does not exist/
    ],
    [
      'working-directory',
      { 'working-directory': 'services/nope' },
      /^::error::Input "working-directory": "services\/nope" is not a directory \(looked for \/.*\/services\/nope\)$/
    ],
    [
      'layers',
      { layers: '../outside:/app' },
      /^::error::Input "layers": source "..\/outside" is outside working-directory/
    ],
    [
      'env',
      { env: 'NOEQUALS' },
      /^::error::Input "env": "NOEQUALS" is not KEY=VALUE/
    ],
    [
      'labels',
      { labels: '=value' },
      /^::error::Input "labels": "=value" is not KEY=VALUE/
    ],
    [
      'entrypoint',
      { entrypoint: '["/app/server",' },
      /^::error::Input "entrypoint": .*is not valid JSON/
    ],
    [
      'cmd',
      { cmd: '[1, 2]' },
      /^::error::Input "cmd": .*must be a JSON array of strings/
    ],
    [
      'exclude',
      { exclude: '**/*.map\nsrc/[a-' },
      /^::error::Input "exclude": "src\/\[a-" has a "\[" that opens a character class without closing it/
    ],
    [
      'platforms',
      { platforms: 'linux/amd64,linux/sparc' },
      /^::error::Input "platforms": "linux\/sparc": unknown architecture/
    ],
    [
      'tags',
      { tags: 'release {{nope}}' },
      /^::error::Input "tags": .*unknown placeholder \{\{nope\}\}/
    ],
    [
      'tags',
      { tags: 'has space' },
      /^::error::Input "tags": "has space" is not a valid tag/
    ],
    ['push', { push: 'yes' }, /^::error::Input "push": "yes" is not a boolean/],
    [
      'source-date-epoch',
      { 'source-date-epoch': 'yesterday' },
      /^::error::Input "source-date-epoch": "yesterday" is not a whole number/
    ],
    [
      'oci-layout',
      { 'oci-layout': 'app/a.txt' },
      /^::error::Input "oci-layout": .*app\/a\.txt exists and is not a directory/
    ],
    [
      'workdir',
      { workdir: 'relative/dir' },
      /^::error::Input "workdir": .*absolute path/
    ]
  ])(
    '[%s] %o fails with one clear error and pushes nothing',
    async (_name, overrides, expected) => {
      const run = runAction(
        { ...valid(), ...overrides },
        { cwd: ws.dir, env: { GITHUB_SHA: ws.sha } }
      )
      expect(run.status).toBe(1)
      const errors = run.stdout.split('\n').filter(l => l.startsWith('::error'))
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatch(expected)
      expect(run.stdout + run.stderr).not.toMatch(/^\s+at .*\(/m)
      expect(await catalog(registry)).toEqual([])
    }
  )

  it('reports every bad input at once, one error each', async () => {
    const run = runAction(
      { image: 'bad image', layers: 'x', env: 'Y', push: 'maybe' },
      { cwd: ws.dir }
    )
    const errors = run.stdout.split('\n').filter(l => l.startsWith('::error'))
    // In the order action.yml lists the inputs.
    expect(errors.map(e => /Input "([^"]+)"/.exec(e)?.[1])).toEqual([
      'image',
      'layers',
      'env',
      'push'
    ])
    expect(run.status).toBe(1)
  })

  it('fails a bundle run with no inputs with our error, not a module-resolution crash', () => {
    const result = spawnSync(process.execPath, [resolve('dist/index.js')], {
      env: { PATH: process.env.PATH },
      encoding: 'utf8'
    })
    expect(result.status).toBe(1)
    expect(result.stdout).toContain('::error::Input "image": is required')
    expect(result.stdout).toContain('::error::Input "layers": is required')
  })
})

describe('an image name with capitals', () => {
  it('is lower-cased with a notice, as ghcr.io/${{ github.repository }} gives it', async () => {
    const run = runAction(
      { ...valid(), image: `${registry.host}/Acme/Mixed-Case`, tags: 'v1' },
      { cwd: ws.dir, env: { GITHUB_SHA: ws.sha } }
    )
    expect(run.status).toBe(0)
    expect(run.stdout).toContain(
      `::notice::image: "${registry.host}/Acme/Mixed-Case" is used as ${registry.host}/acme/mixed-case (repository names are lower-case)`
    )
    expect(run.outputs.image).toMatch(
      new RegExp(`^${registry.host}/acme/mixed-case@sha256:`)
    )
    expect(await catalog(registry)).toContain('acme/mixed-case')
  })
})

describe('command line', () => {
  it('builds the bundled example app into an OCI layout and prints its digest', () => {
    requireTool('umoci')
    const result = spawnSync('npm', ['run', '--silent', 'demo'], {
      encoding: 'utf8'
    })
    expect(result.status).toBe(0)
    const digest = result.stdout.trim()
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/)
    const listed = execFileSync(
      requireTool('umoci'),
      ['ls', '--layout', 'out/demo'],
      { encoding: 'utf8' }
    )
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], {
      encoding: 'utf8'
    }).trim()
    expect(listed.split('\n')).toContain(sha)
    const inspected = execFileSync(
      requireTool('skopeo'),
      ['inspect', '--format', '{{.Digest}}', `oci:out/demo:${sha}`],
      { encoding: 'utf8' }
    ).trim()
    expect(inspected).toBe(digest)
    // It says where the image went and how to look at it.
    expect(result.stderr).toContain(
      `written to the OCI layout out/demo as ${sha}; look at it with: skopeo inspect oci:out/demo:${sha}`
    )
  })

  it('exits 2 with usage on an unknown option, and 1 with an error on bad input', () => {
    const unknown = spawnSync(
      process.execPath,
      ['dist/cli/index.js', 'build', '--nope'],
      { encoding: 'utf8' }
    )
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toContain('imprint build --image REPOSITORY')
    const bad = spawnSync(
      process.execPath,
      ['dist/cli/index.js', 'build', '--image', 'x', '--layers', 'nope'],
      { encoding: 'utf8' }
    )
    expect(bad.status).toBe(1)
    expect(bad.stderr.trim()).toBe(
      'error: --layers: "nope" has no destination (write SOURCE:DESTINATION, e.g. dist:/app/dist)'
    )
  })

  const cli = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [resolve('dist/cli/index.js'), ...args], {
      encoding: 'utf8',
      cwd: ws.dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }
    })

  it('speaks of flags and variables, one line each: a missing key file, a wrong key password, a tag conflict', () => {
    const missing = cli([
      'build',
      '--image',
      `${registry.host}/cli/app`,
      '--base',
      'scratch',
      '--layers',
      'app:/app',
      '--signing-key',
      'nope.key'
    ])
    expect(missing.status).toBe(1)
    expect(missing.stderr.trim()).toBe(
      'error: --signing-key: cannot read the key file "nope.key" (ENOENT)'
    )

    const keys = mkdtempSync(join(tmpdir(), 'imprint-cli-keys-'))
    const made = cli(
      ['generate-key-pair', '--output-key-prefix', join(keys, 'k')],
      { IMPRINT_KEY_PASSWORD: 'right' }
    )
    expect(made.status).toBe(0)
    const wrong = cli(
      [
        'build',
        '--image',
        `${registry.host}/cli/app`,
        '--base',
        'scratch',
        '--layers',
        'app:/app',
        '--signing-key',
        join(keys, 'k.key')
      ],
      { IMPRINT_KEY_PASSWORD: 'wrong' }
    )
    expect(wrong.status).toBe(1)
    expect(wrong.stderr.trim()).toBe(
      'error: $IMPRINT_KEY_PASSWORD (or $COSIGN_PASSWORD): could not be decrypted: the signing-key-password is wrong for this key'
    )

    const push = (content: string) => {
      writeFileSync(join(ws.dir, 'app/a.txt'), content)
      return cli([
        'build',
        '--image',
        `${registry.host}/cli/app`,
        '--base',
        'scratch',
        '--layers',
        'app:/app',
        '--tags',
        'fixed',
        '--push',
        'true'
      ])
    }
    expect(push('one\n').status).toBe(0)
    const conflict = push('two\n')
    writeFileSync(join(ws.dir, 'app/a.txt'), 'a\n')
    expect(conflict.status).toBe(1)
    const lines = conflict.stderr.trim().split('\n')
    expect(lines.filter(l => l.startsWith('error: '))).toHaveLength(1)
    expect(lines.at(-1)).toMatch(
      /^error: .*cli\/app:fixed already points at .*; --allow-tag-overwrite true moves it$/
    )
  })

  it('verify says why it fails: no signature, another key, a digest that does not exist', () => {
    const image = `${registry.host}/cli/unsigned`
    const built = cli([
      'build',
      '--image',
      image,
      '--base',
      'scratch',
      '--layers',
      'app:/app',
      '--tags',
      'v1',
      '--push',
      'true'
    ])
    expect(built.status).toBe(0)
    const digest = built.stdout.trim()
    const keys = mkdtempSync(join(tmpdir(), 'imprint-cli-keys-'))
    cli(['generate-key-pair', '--output-key-prefix', join(keys, 'k')], {
      IMPRINT_KEY_PASSWORD: 'p'
    })
    const unsigned = cli([
      'verify',
      '--key',
      join(keys, 'k.pub'),
      `${image}@${digest}`
    ])
    expect(unsigned.status).toBe(1)
    expect(unsigned.stderr).toContain(
      `error: no signature found for ${image}@${digest}: neither a .sig tag nor bundle referrers`
    )
    // Signed with one key, checked with another: it says who signed.
    const other = mkdtempSync(join(tmpdir(), 'imprint-cli-keys-'))
    cli(['generate-key-pair', '--output-key-prefix', join(other, 'k')], {
      IMPRINT_KEY_PASSWORD: 'p'
    })
    const signed = cli(
      [
        'build',
        '--image',
        `${registry.host}/cli/signed`,
        '--base',
        'scratch',
        '--layers',
        'app:/app',
        '--tags',
        'v1',
        '--push',
        'true',
        '--signing-key',
        join(other, 'k.key')
      ],
      { IMPRINT_KEY_PASSWORD: 'p' }
    )
    expect(signed.status).toBe(0)
    const mismatch = cli([
      'verify',
      '--key',
      join(keys, 'k.pub'),
      `${registry.host}/cli/signed@${signed.stdout.trim()}`
    ])
    expect(mismatch.status).toBe(1)
    expect(mismatch.stderr).toMatch(
      /error: no signature verifies with the key .*k\.pub \(hint [A-Za-z0-9+/=]+\); signed by: a key \(the \.sig does not say which\); key with hint [A-Za-z0-9+/=]+/
    )
    const absent = `sha256:${'0'.repeat(64)}`
    const missing = cli([
      'verify',
      '--key',
      join(keys, 'k.pub'),
      `${image}@${absent}`
    ])
    expect(missing.status).toBe(1)
    expect(missing.stderr.trim()).toBe(
      `error: ${image}@${absent} does not exist in the registry`
    )
  })

  it('installs from the packed npm package and runs', () => {
    const out = mkdtempSync(join(tmpdir(), 'imprint-pack-'))
    const tarball = execFileSync('script/pack-cli', [out], {
      encoding: 'utf8'
    }).trim()
    const prefix = mkdtempSync(join(tmpdir(), 'imprint-prefix-'))
    // Nothing to fetch: the package is the bundle (offline install).
    execFileSync(
      'npm',
      [
        'install',
        '-g',
        '--prefix',
        prefix,
        tarball,
        '--offline',
        '--no-audit',
        '--no-fund'
      ],
      { encoding: 'utf8' }
    )
    const help = spawnSync(join(prefix, 'bin', 'imprint'), ['--help'], {
      encoding: 'utf8'
    })
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('imprint build --image REPOSITORY')
  })
})
