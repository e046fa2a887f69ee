import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { runActionAsync } from '../helpers/action'
import {
  startFakeActionsCache,
  type CacheEntry,
  type FakeActionsCache
} from '../helpers/fake-actions-cache'
import { git } from '../helpers/git-origin'
import { build } from '../helpers/pipeline'
import { startRegistry, type TestRegistry } from '../helpers/registry'
import { requireTool, skopeoSync } from '../helpers/tools'
import { gitWorkspace } from '../helpers/workspace'
import type { LayerMapStore, LayerRecord } from '../../src/cache/layer-map'

// GitHub's cache service cannot be reached from here: these tests run the real `@actions/cache`
// client inside dist/index.js against a local fake of its documented protocol (see the helper).
let registry: TestRegistry
let cache: FakeActionsCache
beforeAll(async () => {
  registry = await startRegistry()
  cache = await startFakeActionsCache()
})
afterAll(async () => {
  await cache?.close()
  await registry?.stop()
})

const files = {
  'deps/lib/a.js': 'export const a = 1\n'.repeat(2000),
  'assets/logo.svg': '<svg/>\n'.repeat(500),
  'app/main.js': 'console.log("v1")\n'
}
const layers = 'deps:/app/node_modules\nassets:/app/assets\napp:/app/src'

// Tags that do not name the commit: no earlier image can be found by tag, only through the cache.
const inputsFor = (image: string) => ({
  image,
  base: 'scratch',
  layers,
  tags: 'latest',
  'allow-tag-overwrite': 'true',
  'source-date-epoch': '1700000000',
  sign: 'none'
})

function skopeoJson(...args: string[]): Record<string, unknown> {
  return JSON.parse(skopeoSync(...args)) as Record<string, unknown>
}

/** The layer map inside a cache entry, read with GNU tar and zstd as `@actions/cache` wrote it. */
function storedMap(entry: CacheEntry): { layers: LayerRecord[] } {
  const archive = join(mkdtempSync(join(tmpdir(), 'imprint-cache-')), 'a')
  writeFileSync(archive, entry.body!)
  requireTool('zstd')
  return JSON.parse(
    execFileSync('tar', ['-x', '-O', '-P', '-f', archive], { encoding: 'utf8' })
  ) as { layers: LayerRecord[] }
}

/** The same content built where nothing can be reused: the reference digest. */
async function coldDigest(dir: string, sha: string): Promise<string> {
  const result = await build(
    {
      image: `${registry.host}/cache/cold-${Math.random().toString(16).slice(2, 10)}`,
      base: 'scratch',
      layers,
      'working-directory': dir,
      'source-date-epoch': '1700000000'
    },
    { env: { HOME: process.env.HOME, GITHUB_SHA: sha } }
  )
  expect(result.platforms[0].layers.every(l => !l.reusedFrom)).toBe(true)
  return result.digest
}

describe('the Actions cache as a layer map', () => {
  it('keeps the diffID map between jobs, so a fresh runner reuses layers of an image it cannot find by tag', async () => {
    const ws = gitWorkspace(files)
    const image = `${registry.host}/cache/app`
    // The same runner path in every job, as on GitHub-hosted runners; nothing else carries over.
    const runnerTemp = mkdtempSync(join(tmpdir(), 'imprint-runner-temp-'))
    const envFor = (sha: string) => ({
      ACTIONS_CACHE_SERVICE_V2: 'true',
      ACTIONS_RESULTS_URL: `${cache.url}/`,
      ACTIONS_RUNTIME_TOKEN: cache.token,
      GITHUB_SHA: sha,
      GITHUB_RUN_ID: '41',
      GITHUB_RUN_ATTEMPT: '1',
      RUNNER_TEMP: runnerTemp
    })

    const first = await runActionAsync(inputsFor(image), {
      cwd: ws.dir,
      env: envFor(ws.sha)
    })
    expect(first.status).toBe(0)
    const saved = cache.entries.filter(e => e.key.includes('/cache/app@'))
    expect(saved).toHaveLength(1)
    expect(saved[0].finalized).toBe(true)
    expect(saved[0].key).toMatch(
      new RegExp(
        `^imprint-layers-${image.replace(/\./g, '\\.')}@linux/amd64#${ws.sha}-41-1-[0-9a-f]{8}$`
      )
    )
    // The map pairs what skopeo sees in the registry: manifest layers with config diff_ids.
    const manifest = skopeoJson(
      'inspect',
      '--tls-verify=false',
      '--raw',
      `docker://${image}:latest`
    ) as { layers: { digest: string }[] }
    const config = skopeoJson(
      'inspect',
      '--tls-verify=false',
      '--config',
      '--raw',
      `docker://${image}:latest`
    ) as { rootfs: { diff_ids: string[] } }
    const firstMap = storedMap(saved[0]).layers
    expect(firstMap.map(r => [r.diffId, r.digest])).toEqual(
      config.rootfs.diff_ids.map((d, i) => [d, manifest.layers[i].digest])
    )

    writeFileSync(join(ws.dir, 'app/main.js'), 'console.log("v2")\n')
    git(ws.dir, 'commit', '-q', '-am', 'change the app')
    const second = git(ws.dir, 'rev-parse', 'HEAD')
    const warm = await runActionAsync(inputsFor(image), {
      cwd: ws.dir,
      env: envFor(second)
    })
    expect(warm.status).toBe(0)
    expect(warm.stdout).toContain(
      '0 layers known from 0 earlier images (tagged with earlier commits), 3 more from the Actions cache'
    )
    const reused = warm.stdout
      .split('\n')
      .filter(l => l.includes('reusing') && l.includes('the Actions cache'))
    // Layers build in parallel: the log order is not fixed.
    expect(reused.map(l => l.split(':')[0]).sort()).toEqual([
      'assets → /app/assets',
      'deps → /app/node_modules'
    ])
    expect(warm.outputs.digest).toBe(await coldDigest(ws.dir, second))

    // The new map adds the new app layer to what the old one knew.
    const maps = cache.entries.filter(e => e.key.includes('/cache/app@'))
    expect(maps).toHaveLength(2)
    const secondMap = storedMap(maps[1]).layers
    expect(secondMap).toHaveLength(4)
    expect(secondMap.slice(3)).toEqual([firstMap[2]])

    // Nothing new learned: no new cache entry.
    const again = await runActionAsync(inputsFor(image), {
      cwd: ws.dir,
      env: envFor(second)
    })
    expect(again.status).toBe(0)
    expect(again.stdout).toContain('layer map unchanged, not saved again')
    expect(
      cache.entries.filter(e => e.key.includes('/cache/app@'))
    ).toHaveLength(2)
  })

  it('builds and pushes as usual when the cache service cannot be reached', async () => {
    const ws = gitWorkspace(files)
    const image = `${registry.host}/cache/unreachable`
    const run = await runActionAsync(inputsFor(image), {
      cwd: ws.dir,
      env: {
        ACTIONS_CACHE_SERVICE_V2: 'true',
        // A port nothing listens on.
        ACTIONS_RESULTS_URL: 'http://127.0.0.1:9/',
        ACTIONS_RUNTIME_TOKEN: 'x',
        GITHUB_SHA: ws.sha
      }
    })
    expect(run.status).toBe(0)
    expect(run.stdout).not.toContain('::error')
    expect(run.stdout).toContain('::warning::Failed to restore')
    expect(
      skopeoJson('inspect', '--tls-verify=false', `docker://${image}:latest`)
        .Digest
    ).toBe(run.outputs.digest)
  })
})

/** A store kept in memory, to hand the pipeline a map that lies. */
function memoryStore(): LayerMapStore & { records: LayerRecord[] } {
  const store = {
    name: 'the test store',
    records: [] as LayerRecord[],
    load: async () => store.records,
    save: async (_: unknown, records: readonly LayerRecord[]) => {
      store.records = [...records]
      return true
    }
  }
  return store
}

describe('a stored map that lies', () => {
  it('is caught by decompressing the blob: the layer is built, the digest is that of a full build', async () => {
    const ws = gitWorkspace(files)
    const image = `${registry.host}/cache/lies`
    const store = memoryStore()
    const inputs = { ...inputsFor(image), 'working-directory': ws.dir }
    const env = { HOME: process.env.HOME, GITHUB_SHA: ws.sha }
    await build(inputs, { env, layerMapStore: store })
    expect(store.records).toHaveLength(3)
    // Pair each of the first two diffIDs with the other's blob.
    const [deps, assets] = store.records
    store.records = [
      { ...deps, digest: assets.digest, size: assets.size },
      { ...assets, digest: deps.digest, size: deps.size },
      store.records[2]
    ]
    const lied = await build(
      { ...inputs, 'source-date-epoch': '1700000000' },
      { env, layerMapStore: store }
    )
    expect(lied.platforms[0].layers.map(l => l.reusedFrom)).toEqual([
      undefined,
      undefined,
      'the test store'
    ])
    expect(lied.digest).toBe(await coldDigest(ws.dir, ws.sha))

    // The right blob with a wrong size, or recorded under another media type: not reused either.
    const [, , app] = store.records
    store.records = [
      { ...deps, size: deps.size + 1 },
      {
        ...assets,
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip'
      },
      app
    ]
    const misrecorded = await build(inputs, { env, layerMapStore: store })
    expect(misrecorded.platforms[0].layers.map(l => l.reusedFrom)).toEqual([
      undefined,
      undefined,
      'the test store'
    ])
    expect(misrecorded.digest).toBe(lied.digest)
  })
})
