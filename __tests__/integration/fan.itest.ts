import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { runAction, runActionAsync } from '../helpers/action'
import { git, originAndClone, show } from '../helpers/git-origin'
import { startRegistry, type TestRegistry } from '../helpers/registry'
import { skopeo } from '../helpers/tools'
import { gitWorkspace } from '../helpers/workspace'

let registry: TestRegistry
beforeAll(async () => {
  registry = await startRegistry()
})
afterAll(async () => registry?.stop())

async function tags(repo: string): Promise<string[]> {
  const res = await fetch(`http://${registry.host}/v2/${repo}/tags/list`)
  if (res.status === 404) return []
  return ((await res.json()) as { tags: string[] | null }).tags ?? []
}

describe('fan-out and fan-in', () => {
  const image = () => `${registry.host}/acme/fan`
  let ws: { dir: string; sha: string }
  let amd64 = ''
  let arm64 = ''

  it('pushes platform images by digest in parallel, without tags', async () => {
    ws = gitWorkspace({
      'build/amd64/server': 'x86 server\n',
      'build/arm64/server': 'arm server\n'
    })
    const leg = (platform: string, arch: string) =>
      runActionAsync(
        {
          image: image(),
          base: 'scratch',
          platforms: platform,
          layers: `build/${arch}/server:/usr/bin/server`,
          'push-by-digest': 'true'
        },
        { cwd: ws.dir, env: { GITHUB_SHA: ws.sha } }
      )
    const [a, b] = await Promise.all([
      leg('linux/amd64', 'amd64'),
      leg('linux/arm64', 'arm64')
    ])
    for (const r of [a, b]) {
      expect(r.stdout).not.toContain('::error')
      expect(r.status).toBe(0)
      expect(r.outputs.tags).toBe('')
    }
    expect([a.outputs.platform, b.outputs.platform]).toEqual([
      'linux/amd64',
      'linux/arm64'
    ])
    amd64 = a.outputs.digest
    arm64 = b.outputs.digest
    expect(await tags('acme/fan')).toEqual([])
  })

  it('merges the digests into one index, reproducibly, and tags it', async () => {
    const merge = (digests: string) =>
      runAction(
        { image: image(), 'merge-digests': digests },
        { cwd: ws.dir, env: { GITHUB_SHA: ws.sha } }
      )
    // Given in either order, the index is the same: entries are sorted by platform.
    const first = merge(`${arm64}\n${image()}@${amd64}`)
    expect(first.stdout).not.toContain('::error')
    expect(first.status).toBe(0)
    const raw = JSON.parse(
      await skopeo(
        'inspect',
        '--tls-verify=false',
        '--raw',
        `docker://${image()}:${ws.sha}`
      )
    )
    expect(raw.mediaType).toBe('application/vnd.oci.image.index.v1+json')
    expect(
      raw.manifests.map(
        (m: { digest: string; platform: { architecture: string } }) => [
          m.platform.architecture,
          m.digest
        ]
      )
    ).toEqual([
      ['amd64', amd64],
      ['arm64', arm64]
    ])
    expect(first.outputs.digest).toBe(
      (
        await skopeo(
          'inspect',
          '--tls-verify=false',
          '--format',
          '{{.Digest}}',
          `docker://${image()}:${ws.sha}`
        )
      ).trim()
    )
    // Every child is intact: skopeo copies the whole index and checks every blob.
    const dir = mkdtempSync(join(tmpdir(), 'imprint-fan-'))
    await skopeo(
      'copy',
      '--quiet',
      '--all',
      '--src-tls-verify=false',
      `docker://${image()}:${ws.sha}`,
      `oci:${dir}:fan`
    )
    const again = merge(`${amd64}\n${arm64}`)
    expect(again.status).toBe(0)
    expect(again.outputs.digest).toBe(first.outputs.digest)
  })

  it.each([
    [
      'a digest that does not exist',
      () => `${amd64}\nsha256:${'0'.repeat(64)}`,
      /does not exist; push the platform images/
    ],
    [
      'two digests of the same platform',
      () => `${amd64}\nSECOND_AMD64`,
      /are both linux\/amd64; one image per platform/
    ],
    [
      'a digest from another repository',
      () => `${registry.host}/acme/other@${amd64}`,
      /not in the image repository/
    ]
  ])('refuses %s and tags nothing', async (_what, digests, expected) => {
    const fresh = `${registry.host}/acme/fan-refused`
    // Another amd64 image in the refused repository, so that a same-platform pair exists there.
    const other = gitWorkspace({ 'build/amd64/server': 'another x86 server\n' })
    const pushed = runAction(
      {
        image: fresh,
        base: 'scratch',
        layers: 'build/amd64/server:/usr/bin/server',
        'push-by-digest': 'true'
      },
      { cwd: other.dir, env: { GITHUB_SHA: other.sha } }
    )
    const copied = runAction(
      {
        image: fresh,
        base: 'scratch',
        layers: 'build/amd64/server:/usr/bin/server',
        'push-by-digest': 'true'
      },
      { cwd: ws.dir, env: { GITHUB_SHA: ws.sha } }
    )
    const list = digests()
      .replace(amd64, copied.outputs.digest)
      .replace('SECOND_AMD64', pushed.outputs.digest)
    const result = runAction(
      { image: fresh, 'merge-digests': list },
      { cwd: ws.dir, env: { GITHUB_SHA: ws.sha } }
    )
    expect(result.status).toBe(1)
    const errors = result.stdout
      .split('\n')
      .filter(l => l.startsWith('::error'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/^::error::Input "merge-digests": /)
    expect(errors[0]).toMatch(expected)
    expect(await tags('acme/fan-refused')).toEqual([])
  })
})

describe('many images, one manifest repository', () => {
  it('lands all four updates made by four processes at the same time', async () => {
    const services = ['api', 'worker', 'web', 'cron']
    const manifest = services
      .map(
        s =>
          `---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${s}\nspec:\n  template:\n    spec:\n      containers:\n        - name: ${s}\n          image: ${registry.host}/mono/${s}:old\n`
      )
      .join('')
    const repo = originAndClone({
      'deploy/all.yaml': manifest,
      'deploy/copy.yaml': manifest,
      ...Object.fromEntries(
        services.map(s => [`services/${s}/app.txt`, `${s}\n`])
      )
    })
    const workspaces = services.map(() => repo.clone())
    const env = {
      GITHUB_SHA: repo.sha,
      GITHUB_REF_NAME: 'main',
      GITHUB_REF_TYPE: 'branch',
      GITHUB_EVENT_NAME: 'push'
    }
    const runs = await Promise.all(
      services.map((s, i) =>
        runActionAsync(
          {
            image: `${registry.host}/mono/${s}`,
            base: 'scratch',
            'working-directory': `services/${s}`,
            layers: 'app.txt:/app.txt',
            manifests: 'deploy/*.yaml'
          },
          { cwd: workspaces[i], env }
        )
      )
    )
    for (const r of runs) {
      expect(r.stdout).not.toContain('::error')
      expect(r.status).toBe(0)
    }
    const final = show(repo.origin, 'main', 'deploy/all.yaml')
    for (const [i, s] of services.entries()) {
      const pinned = `${registry.host}/mono/${s}:${repo.sha}@${runs[i].outputs.digest}`
      expect(final).toContain(`image: ${pinned}`)
      expect(show(repo.origin, 'main', 'deploy/copy.yaml')).toContain(
        `image: ${pinned}`
      )
    }
    expect(final).not.toContain(':old')
    // One commit per image, none reverted by another.
    expect(git(repo.origin, 'rev-list', '--count', 'main')).toBe('5')
  })
})
