import { execFileSync, spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { resolve } from 'node:path'
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
      'error: Input "layers": "nope" has no destination (write SOURCE:DESTINATION, e.g. dist:/app/dist)'
    )
  })
})
