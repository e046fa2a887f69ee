// Issue 12: users live across a stream of merges on a base that moves. These tests build commit
// after commit against the real registry and check what a user of the images would see.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { InputName } from '../../src/inputs'
import type { PipelineResult } from '../../src/report/result'
import type { Logger } from '../../src/util/log'
import { pushBusyboxBase } from '../helpers/busybox-base'
import { git } from '../helpers/git-origin'
import { build } from '../helpers/pipeline'
import { startRegistry, type TestRegistry } from '../helpers/registry'
import { podmanRun } from '../helpers/runtime'
import { skopeo } from '../helpers/tools'
import { generateCosignKeys } from '../helpers/keys'
import { gitWorkspace } from '../helpers/workspace'

let registry: TestRegistry
beforeAll(async () => {
  registry = await startRegistry()
})
afterAll(async () => registry?.stop())

describe('directories the base has', () => {
  it('keep their mode and owner in a real runtime when layers go inside them', async () => {
    const base = `${registry.host}/bases/dirs:1`
    await pushBusyboxBase(base, {
      directories: [
        { path: 'tmp', mode: 0o1777, uid: 0, gid: 0 },
        { path: 'home/app', mode: 0o750, uid: 1000, gid: 1000 }
      ]
    })
    const ws = gitWorkspace({
      'cache/seed.txt': 'seed\n',
      'data/app.db': 'db\n',
      'bin/hello': '#!/bin/sh\necho hello\n'
    })
    const result = await build({
      image: `${registry.host}/acme/dirs`,
      base,
      layers:
        'cache:/tmp/cache\ndata:/home/app/data\nbin/hello:/opt/tools/hello',
      'working-directory': ws.dir,
      tags: 'v1'
    })
    const out = podmanRun(`${registry.host}/acme/dirs@${result.digest}`, [
      '/bin/stat',
      '-c',
      '%n %a %u:%g',
      '/tmp',
      '/home/app',
      '/tmp/cache',
      '/home/app/data',
      '/opt/tools',
      '/tmp/cache/seed.txt'
    ])
    expect(out.trim().split('\n')).toEqual([
      // The base's: a non-root app can still write /tmp, and the home stays the user's.
      '/tmp 1777 0:0',
      '/home/app 750 1000:1000',
      // What the layers bring, and the directories a runtime creates for them.
      '/tmp/cache 755 0:0',
      '/home/app/data 755 0:0',
      '/opt/tools 755 0:0',
      '/tmp/cache/seed.txt 644 0:0'
    ])
  })
})

describe('directories the base has, inside a source', () => {
  it('keep their mode and owner when a source brings them too (rootfs:/)', async () => {
    const base = `${registry.host}/bases/dirs:2`
    await pushBusyboxBase(base, {
      directories: [
        { path: 'tmp', mode: 0o1777, uid: 0, gid: 0 },
        { path: 'home/app', mode: 0o750, uid: 1000, gid: 1000 }
      ]
    })
    const ws = gitWorkspace({
      'rootfs/tmp/seed': 'seed\n',
      'rootfs/home/app/.config/app.conf': 'x=1\n',
      'rootfs/etc/app/app.conf': 'y=2\n'
    })
    mkdirSync(join(ws.dir, 'rootfs/var/empty'), { recursive: true })
    const result = await build({
      image: `${registry.host}/acme/rootfs`,
      base,
      layers: 'rootfs:/',
      'working-directory': ws.dir,
      tags: 'v1'
    })
    const out = podmanRun(`${registry.host}/acme/rootfs@${result.digest}`, [
      '/bin/stat',
      '-c',
      '%n %a %u:%g',
      '/tmp',
      '/home/app',
      '/tmp/seed',
      '/home/app/.config',
      '/etc/app',
      '/var/empty'
    ])
    expect(out.trim().split('\n')).toEqual([
      '/tmp 1777 0:0',
      '/home/app 750 1000:1000',
      '/tmp/seed 644 0:0',
      '/home/app/.config 755 0:0',
      '/etc/app 755 0:0',
      // An empty directory keeps its entry, or it would not exist.
      '/var/empty 755 0:0'
    ])
  })
})

/** A logger that keeps what a user would read. */
function recording(): Logger & { lines: string[] } {
  const lines: string[] = []
  return {
    lines,
    debug: () => {},
    info: m => lines.push(`info: ${m}`),
    warning: m => lines.push(`warning: ${m}`),
    notice: m => lines.push(`notice: ${m}`),
    group: (_name, fn) => fn()
  }
}

/** A cosign key pair made by our command line, as a user would make it. */
function signingInputs(): Partial<Record<InputName, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'imprint-merges-keys-'))
  const password = 'merges'
  generateCosignKeys(dir, password)
  return {
    'signing-key': readFileSync(join(dir, 'cosign.key'), 'utf8'),
    'signing-key-password': password
  }
}

/** A base whose content (and digest) changes with `generation`, pushed under one moving tag. */
function moveBase(reference: string, generation: number): Promise<string> {
  return pushBusyboxBase(reference, {
    directories: [
      { path: `etc/generation-${generation}`, mode: 0o755, uid: 0, gid: 0 }
    ]
  })
}

const tagOf = async (reference: string): Promise<string> =>
  (
    await skopeo(
      'inspect',
      '--tls-verify=false',
      '--format',
      '{{.Digest}}',
      `docker://${reference}`
    )
  ).trim()

describe('a stream of merges', () => {
  const app = {
    'deps/lib.js': 'module.exports = 1\n'.repeat(200),
    'app/main.js': 'console.log("v1")\n'
  }
  const inputsFor = (
    image: string,
    base: string,
    dir: string,
    extra: Partial<Record<InputName, string>> = {}
  ): Partial<Record<InputName, string>> => ({
    image,
    base,
    layers: 'deps:/app/node_modules\napp:/app/src',
    'working-directory': dir,
    ...extra
  })
  const env = (sha: string) => ({
    HOME: process.env.HOME,
    PATH: process.env.PATH,
    GITHUB_SHA: sha
  })

  it('stores only the changed layer (and config, manifest) for the next merge, on default inputs', async () => {
    const base = `${registry.host}/bases/steady:1`
    await moveBase(base, 1)
    const ws = gitWorkspace(app)
    const image = `${registry.host}/acme/stream`
    const first = await build(inputsFor(image, base, ws.dir), {
      env: env(ws.sha)
    })
    writeFileSync(join(ws.dir, 'app/main.js'), 'console.log("v2")\n')
    git(ws.dir, 'commit', '-q', '-am', 'v2', '--date', '2030-01-01T00:00:00Z')
    const second = git(ws.dir, 'rev-parse', 'HEAD')
    const next = await build(inputsFor(image, base, ws.dir), {
      env: env(second)
    })
    const layers = (r: PipelineResult) =>
      r.platforms[0].layers.filter(l => l.source)
    // The dependency layer is the same blob, found from the parent commit's image, not rebuilt.
    expect(layers(next)[0].digest).toBe(layers(first)[0].digest)
    expect(layers(next)[0].reusedFrom).toBe(`${image}:${ws.sha}`)
    expect(layers(next)[1].digest).not.toBe(layers(first)[1].digest)
    // Uploaded: the changed app layer and the config; everything else was already there.
    const uploaded = next
      .push!.blobs.filter(b => b.outcome === 'uploaded')
      .map(b => b.digest)
    expect(uploaded.sort()).toEqual(
      [layers(next)[1].digest, next.configDigest].sort()
    )
  })

  it("deploys the commit's existing image when a re-run finds only the base moved", async () => {
    const base = `${registry.host}/bases/moving:latest`
    const firstBase = await moveBase(base, 1)
    const ws = gitWorkspace({
      ...app,
      'k8s/app.yaml': `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ${registry.host}/acme/rerun:old\n`
    })
    const image = `${registry.host}/acme/rerun`
    const signing = signingInputs()
    const first = await build(inputsFor(image, base, ws.dir, signing), {
      env: env(ws.sha)
    })
    const provenanceOf = (r: PipelineResult) =>
      r.signatures[0].attestations.filter(a => a.predicateType.includes('slsa'))
    expect(provenanceOf(first)).toHaveLength(1)
    const secondBase = await moveBase(base, 2)
    expect(secondBase).not.toBe(firstBase)

    const log = recording()
    const rerun = await build(
      inputsFor(image, base, ws.dir, {
        ...signing,
        manifests: 'k8s/app.yaml',
        'manifest-commit': 'none'
      }),
      { env: env(ws.sha), log, workspace: ws.dir }
    )
    expect(rerun.digest).toBe(first.digest)
    expect(rerun.base).toEqual({ name: base, digest: firstBase })
    expect(rerun.push!.uploadedBytes).toBe(0)
    expect(await tagOf(`${image}:${ws.sha}`)).toBe(first.digest)
    const notice = log.lines.find(l => l.startsWith('notice: '))
    expect(notice).toContain(
      `already holds this commit's image, built on base ${firstBase}`
    )
    expect(notice).toContain(`this run's base resolved to ${secondBase}`)
    expect(notice).toContain('{{base_digest}}')
    // Signed again (the same .sig), but no provenance naming this run's base: it did not build it.
    expect(rerun.signatures).toHaveLength(1)
    expect(provenanceOf(rerun)).toEqual([])
    expect(log.lines).toContain(
      'info: provenance: the existing image keeps the one of the run that built it; no new provenance is attached'
    )
    // Manifests are pinned to the image that exists.
    expect(readFileSync(join(ws.dir, 'k8s/app.yaml'), 'utf8')).toContain(
      `image: ${image}:${ws.sha}@${first.digest}`
    )
  })

  it('a release tag on a commit a branch push built adds its tags to that image', async () => {
    const base = `${registry.host}/bases/release:1`
    await moveBase(base, 1)
    const ws = gitWorkspace(app)
    const image = `${registry.host}/acme/release`
    const tags = '{{sha}}\n{{version}}\n{{major}}.{{minor}}'
    const branch = await build(inputsFor(image, base, ws.dir, { tags }), {
      env: { ...env(ws.sha), GITHUB_REF: 'refs/heads/main' }
    })
    expect(branch.tags).toEqual([`${image}:${ws.sha}`])

    const log = recording()
    const release = await build(inputsFor(image, base, ws.dir, { tags }), {
      env: { ...env(ws.sha), GITHUB_REF: 'refs/tags/v1.4.2' },
      log
    })
    // The release is the image that was built (and tested) on the branch, under the new tags.
    expect(release.digest).toBe(branch.digest)
    expect(release.push!.uploadedBytes).toBe(0)
    for (const tag of [ws.sha, '1.4.2', '1.4'])
      expect(await tagOf(`${image}:${tag}`)).toBe(branch.digest)
    const notice = log.lines.find(l => l.includes('already holds'))
    expect(notice).toContain(
      "differs from this run's only in its version label"
    )

    // Anything else that differs is still a conflict.
    await expect(
      build(inputsFor(image, base, ws.dir, { tags, env: 'MODE=x' }), {
        env: { ...env(ws.sha), GITHUB_REF: 'refs/tags/v1.4.3' }
      })
    ).rejects.toThrow(/built with other settings/)
    expect(await tagOf(`${image}:${ws.sha}`)).toBe(branch.digest)
  })

  it('refuses to deploy the existing image on a moved base when this run sets other settings', async () => {
    const base = `${registry.host}/bases/moving3:latest`
    await moveBase(base, 1)
    const ws = gitWorkspace(app)
    const image = `${registry.host}/acme/settings`
    const first = await build(inputsFor(image, base, ws.dir), {
      env: env(ws.sha)
    })
    await moveBase(base, 2)
    // Same commit and layers, newer base, but an env the existing image does not have.
    await expect(
      build(inputsFor(image, base, ws.dir, { env: 'MODE=canary' }), {
        env: env(ws.sha)
      })
    ).rejects.toThrow(
      /on an older base, but was built with other settings \(env MODE differ from this run's\)/
    )
    expect(await tagOf(`${image}:${ws.sha}`)).toBe(first.digest)
  })

  it('refuses a re-run whose layers differ, naming the layer and how to make it deterministic', async () => {
    const base = `${registry.host}/bases/moving2:latest`
    await moveBase(base, 1)
    const ws = gitWorkspace(app)
    const image = `${registry.host}/acme/drift`
    const first = await build(inputsFor(image, base, ws.dir), {
      env: env(ws.sha)
    })
    await moveBase(base, 2)
    // A build step that writes something else on each run (not committed).
    writeFileSync(join(ws.dir, 'app/main.js'), `console.log(${Date.now()})\n`)
    await expect(
      build(inputsFor(image, base, ws.dir), { env: env(ws.sha) })
    ).rejects.toThrow(
      /already points at sha256:[0-9a-f]{64}, not at this run's image sha256:[0-9a-f]{64}: it holds the same commit, but its layer 2 \(app → \/app\/src\) has other content .*not deterministic: fix times \(SOURCE_DATE_EPOCH\).*allow-tag-overwrite: true moves it/
    )
    expect(await tagOf(`${image}:${ws.sha}`)).toBe(first.digest)
  })

  it('explains a pull_request re-run whose merge checkout moved with the base branch', async () => {
    const base = `${registry.host}/bases/steady3:1`
    await moveBase(base, 1)
    const ws = gitWorkspace(app)
    const head = ws.sha
    const image = `${registry.host}/acme/preview`
    const event = join(
      mkdtempSync(join(tmpdir(), 'imprint-event-')),
      'event.json'
    )
    writeFileSync(
      event,
      JSON.stringify({
        number: 7,
        pull_request: {
          number: 7,
          head: { sha: head, ref: 'feature' },
          base: { sha: head, ref: 'main' }
        }
      })
    )
    const prEnv = () => ({
      ...env(git(ws.dir, 'rev-parse', 'HEAD')),
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event
    })
    // The runner checks out the merge of the head into the base branch.
    git(ws.dir, 'commit', '-q', '--allow-empty', '-m', 'merge 1')
    const first = await build(inputsFor(image, base, ws.dir), { env: prEnv() })
    expect(first.tags).toEqual([`${image}:${head}`])
    // The base branch moved: the re-run's merge holds other files under the same head.
    writeFileSync(join(ws.dir, 'app/main.js'), 'console.log("main moved")\n')
    git(ws.dir, 'commit', '-q', '-am', 'merge 2')
    const failed = build(inputsFor(image, base, ws.dir), { env: prEnv() })
    await expect(failed).rejects.toThrow(
      `This pull_request run built the checkout ${git(ws.dir, 'rev-parse', 'HEAD').slice(0, 7)}, the merge of head ${head.slice(0, 7)} into the base branch`
    )
    await expect(failed).rejects.not.toThrow(/not deterministic/)
    expect(await tagOf(`${image}:${head}`)).toBe(first.digest)
  })

  it('explains a plain conflict by the commits, without suggesting the default it was given', async () => {
    const base = `${registry.host}/bases/steady2:1`
    await moveBase(base, 1)
    const ws = gitWorkspace(app)
    const image = `${registry.host}/acme/fixed`
    await build(inputsFor(image, base, ws.dir, { tags: 'release' }), {
      env: env(ws.sha)
    })
    writeFileSync(join(ws.dir, 'app/main.js'), 'console.log("v2")\n')
    git(ws.dir, 'commit', '-q', '-am', 'v2')
    const second = git(ws.dir, 'rev-parse', 'HEAD')
    const failed = build(inputsFor(image, base, ws.dir, { tags: 'release' }), {
      env: env(second)
    })
    await expect(failed).rejects.toThrow(
      `it was built from commit ${ws.sha.slice(0, 7)}, this run builds ${second.slice(0, 7)}; give each commit's image its own tag`
    )
    await expect(failed).rejects.not.toThrow(/\{\{sha\}\}/)
  })

  it('with {{base_digest}}, a scheduled build makes a new image exactly when the base changed, reusing every app layer', async () => {
    const base = `${registry.host}/bases/patched:latest`
    await moveBase(base, 1)
    const ws = gitWorkspace(app)
    const image = `${registry.host}/acme/patched`
    const tags = '{{sha}}-{{base_digest}}'
    const first = await build(inputsFor(image, base, ws.dir, { tags }), {
      env: env(ws.sha)
    })
    const again = await build(inputsFor(image, base, ws.dir, { tags }), {
      env: env(ws.sha)
    })
    expect(again.digest).toBe(first.digest)
    expect(again.push!.tags).toEqual([
      { tag: first.tags[0].split(':').pop(), outcome: 'unchanged' }
    ])

    const patched = await moveBase(base, 2)
    const next = await build(inputsFor(image, base, ws.dir, { tags }), {
      env: env(ws.sha)
    })
    expect(next.digest).not.toBe(first.digest)
    expect(next.tags).toEqual([`${image}:${ws.sha}-${patched.slice(7, 19)}`])
    expect(next.push!.tags[0].outcome).toBe('created')
    // Not one of the app's layers went up again: the repository had them all.
    const appLayers = next.platforms[0].layers
      .filter(l => l.source)
      .map(l => l.digest)
    const uploaded = next
      .push!.blobs.filter(b => b.outcome === 'uploaded')
      .map(b => b.digest)
    expect(uploaded.filter(d => appLayers.includes(d))).toEqual([])
  })
})
