import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { runAction } from '../helpers/action'
import { pushBusyboxBase } from '../helpers/busybox-base'
import { startRegistry, type TestRegistry } from '../helpers/registry'
import { requireTool, skopeoSync as skopeo } from '../helpers/tools'
import { gitWorkspace } from '../helpers/workspace'

let registry: TestRegistry
let baseDigest: string

beforeAll(async () => {
  registry = await startRegistry()
  baseDigest = await pushBusyboxBase(`${registry.host}/base/busybox:latest`)
})
afterAll(async () => registry?.stop())

const app = {
  'app/run.sh':
    '#!/bin/sh\necho "hello from $GREETING"\ncat /app/data/message.txt\n',
  'data/message.txt': 'layered content\n'
}

describe('dist/index.js run as a runner runs it', () => {
  it('builds on a real base, pushes, and the image runs its entrypoint', () => {
    const ws = gitWorkspace(app, { executable: ['app/run.sh'] })
    const image = `${registry.host}/acme/app`
    const run = runAction(
      {
        image,
        base: `${registry.host}/base/busybox:latest`,
        layers: 'data:/app/data\napp/run.sh:/app/run.sh',
        entrypoint: '["/app/run.sh"]',
        env: 'GREETING=imprint',
        labels: 'com.example.team=platform'
      },
      {
        cwd: ws.dir,
        env: {
          GITHUB_SHA: ws.sha,
          GITHUB_REPOSITORY: 'acme/app',
          GITHUB_SERVER_URL: 'https://github.com'
        }
      }
    )
    expect(run.stdout).not.toMatch(/::error::/)
    expect(run.status).toBe(0)
    const { digest, tags, metadata } = run.outputs
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/)
    expect(run.outputs.image).toBe(`${image}@${digest}`)
    expect(tags).toBe(`${image}:${ws.sha}`)

    // What the registry holds, read by skopeo.
    expect(
      skopeo(
        'inspect',
        '--tls-verify=false',
        '--format',
        '{{.Digest}}',
        `docker://${image}:${ws.sha}`
      ).trim()
    ).toBe(digest)
    const manifest = JSON.parse(
      skopeo(
        'inspect',
        '--tls-verify=false',
        '--raw',
        `docker://${image}@${digest}`
      )
    )
    expect(manifest.annotations['org.opencontainers.image.base.name']).toBe(
      `${registry.host}/base/busybox:latest`
    )
    expect(manifest.annotations['org.opencontainers.image.base.digest']).toBe(
      baseDigest
    )
    expect(manifest.layers).toHaveLength(3)
    const config = JSON.parse(
      skopeo(
        'inspect',
        '--tls-verify=false',
        '--config',
        `docker://${image}@${digest}`
      )
    )
    expect(config.config.Env).toEqual(['PATH=/bin', 'GREETING=imprint'])
    expect(config.config.Entrypoint).toEqual(['/app/run.sh'])
    expect(config.config.Cmd).toBeUndefined()
    expect(config.config.Labels).toMatchObject({
      'org.opencontainers.image.revision': ws.sha,
      'org.opencontainers.image.source': 'https://github.com/acme/app',
      'org.opencontainers.image.created': '2023-11-14T22:13:20Z',
      'com.example.team': 'platform'
    })
    expect(config.created).toBe('2023-11-14T22:13:20Z')
    expect(config.rootfs.diff_ids).toHaveLength(3)
    expect(JSON.parse(metadata).platforms[0].configDigest).toBe(
      run.outputs['config-digest']
    )

    // Pull with skopeo, unpack with umoci, run the entrypoint under chroot.
    const dir = mkdtempSync(join(tmpdir(), 'imprint-run-'))
    skopeo(
      'copy',
      '--quiet',
      '--src-tls-verify=false',
      `docker://${image}@${digest}`,
      `oci:${dir}/layout:app`
    )
    execFileSync(requireTool('umoci'), [
      'unpack',
      '--image',
      `${dir}/layout:app`,
      `${dir}/bundle`
    ])
    const spec = JSON.parse(readFileSync(`${dir}/bundle/config.json`, 'utf8'))
    const output = execFileSync(
      requireTool('chroot'),
      [`${dir}/bundle/rootfs`, ...spec.process.args],
      {
        env: Object.fromEntries(
          spec.process.env.map((e: string) => e.split(/=(.*)/s).slice(0, 2))
        ),
        encoding: 'utf8'
      }
    )
    expect(output).toBe('hello from imprint\nlayered content\n')

    expect(run.summary).toContain(digest)
    expect(run.summary).toContain(`${image}:${ws.sha}`)
    // The base layer lives in the same registry: mounted, never downloaded or uploaded.
    expect(run.summary).toMatch(
      /\| Upload \| .* uploaded in 3 blobs, .* reused in 1 \|/
    )
    const upload = JSON.parse(metadata).upload
    expect(
      upload.blobs
        .filter((b: { outcome: string }) => b.outcome === 'mounted')
        .map((b: { digest: string }) => b.digest)
    ).toEqual([manifest.layers[0].digest])
  })

  it('is a no-op when the tag already points at the same digest, and refuses other content', () => {
    const ws = gitWorkspace(app, { executable: ['app/run.sh'] })
    const image = `${registry.host}/acme/immutable`
    const inputs = {
      image,
      base: `${registry.host}/base/busybox:latest`,
      layers: 'app:/app'
    }
    const env = { GITHUB_SHA: ws.sha }
    const first = runAction(inputs, { cwd: ws.dir, env })
    expect(first.status).toBe(0)
    const again = runAction(inputs, { cwd: ws.dir, env })
    expect(again.status).toBe(0)
    expect(again.outputs.digest).toBe(first.outputs.digest)
    expect(again.stdout).toContain('nothing to upload')
    expect(JSON.parse(again.outputs.metadata).upload).toEqual({
      uploadedBytes: 0,
      reusedBytes: 0,
      blobs: [],
      tags: [{ tag: ws.sha, outcome: 'unchanged' }]
    })

    const changed = runAction(
      { ...inputs, env: 'CHANGED=1' },
      { cwd: ws.dir, env }
    )
    expect(changed.status).toBe(1)
    const errors = changed.stdout
      .split('\n')
      .filter(l => l.startsWith('::error'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(`already points at ${first.outputs.digest}`)
    expect(errors[0]).toContain('allow-tag-overwrite')
    expect(
      skopeo(
        'inspect',
        '--tls-verify=false',
        '--format',
        '{{.Digest}}',
        `docker://${image}:${ws.sha}`
      ).trim()
    ).toBe(first.outputs.digest)
    // The refused image's digest is still an output, and the summary says what failed.
    expect(changed.outputs.digest).toMatch(/^sha256:/)
    expect(changed.outputs.digest).not.toBe(first.outputs.digest)
    expect(changed.summary).toContain('### Imprint: failed')
    expect(changed.summary).toContain(changed.outputs.digest)

    const overwritten = runAction(
      { ...inputs, env: 'CHANGED=1', 'allow-tag-overwrite': 'true' },
      { cwd: ws.dir, env }
    )
    expect(overwritten.status).toBe(0)
    expect(overwritten.outputs.digest).not.toBe(first.outputs.digest)
    expect(
      skopeo(
        'inspect',
        '--tls-verify=false',
        '--format',
        '{{.Digest}}',
        `docker://${image}:${ws.sha}`
      ).trim()
    ).toBe(overwritten.outputs.digest)
  })

  it('leaves out what exclude and a source’s .imprintignore match (GNU tar lists the pushed layers)', () => {
    const ws = gitWorkspace({
      'app/server.js': 'serve\n',
      'app/server.js.map': '{}\n',
      'app/lib/db.js': 'db\n',
      'app/lib/db.js.map': '{}\n',
      'app/tests/server.test.js': 'test\n',
      // This source's own patterns, after the input's: tests out, lib's maps in again.
      'app/.imprintignore': '# app only\ntests\n!lib/*.map\n',
      'node_modules/pkg/index.js': 'pkg\n',
      'node_modules/pkg/index.js.map': '{}\n',
      'node_modules/.cache/babel/x.json': '{}\n',
      'config.json.map': 'a file source is always taken\n'
    })
    const image = `${registry.host}/acme/excludes`
    const layout = join(mkdtempSync(join(tmpdir(), 'imprint-excl-')), 'oci')
    const inputs = {
      image,
      base: 'scratch',
      layers:
        'node_modules:/app/node_modules\napp:/app\nconfig.json.map:/etc/config.json.map',
      exclude: '# everywhere\n**/*.map\n.cache\n',
      'oci-layout': layout
    }
    const run = runAction(inputs, {
      cwd: ws.dir,
      env: { GITHUB_SHA: ws.sha }
    })
    expect(run.stdout).not.toMatch(/::error::/)
    expect(run.status).toBe(0)
    const pushed = JSON.parse(
      skopeo(
        'inspect',
        '--tls-verify=false',
        '--raw',
        `docker://${image}@${run.outputs.digest}`
      )
    )
    const listing = pushed.layers.map((layer: { digest: string }) =>
      execFileSync(
        requireTool('tar'),
        ['-tzf', join(layout, 'blobs/sha256', layer.digest.slice(7))],
        { encoding: 'utf8' }
      )
        .trim()
        .split('\n')
    )
    expect(listing).toEqual([
      ['app/node_modules/pkg/index.js'],
      ['app/lib/db.js', 'app/lib/db.js.map', 'app/server.js'],
      ['etc/config.json.map']
    ])
    expect(run.stdout).toMatch(/app → \/app: 3 entries \(2 excluded\)/)

    // A bad pattern in a .imprintignore: one error naming the file and line, nothing pushed.
    const broken = gitWorkspace({
      'app/a.js': 'a\n',
      'app/.imprintignore': '*.map\n[z-a]\n'
    })
    const failed = runAction(
      {
        ...inputs,
        image: `${registry.host}/acme/excludes-broken`,
        layers: 'app:/app'
      },
      { cwd: broken.dir, env: { GITHUB_SHA: broken.sha } }
    )
    expect(failed.status).toBe(1)
    expect(
      failed.stdout.split('\n').filter(l => l.startsWith('::error'))
    ).toEqual([
      '::error::Input "exclude": app/.imprintignore line 2: "[z-a]" has a character class range z-a that runs backwards'
    ])
  })
})
