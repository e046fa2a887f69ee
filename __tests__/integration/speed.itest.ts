import { execFile, execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { build } from '../helpers/pipeline'
import { git } from '../helpers/git-origin'
import { catalog, startRegistry, type TestRegistry } from '../helpers/registry'
import { pushBusyboxBase } from '../helpers/busybox-base'
import { silentLogger } from '../../src/util/log'
import { requireTool, skopeoSync } from '../helpers/tools'
import { gitWorkspace } from '../helpers/workspace'

const run = promisify(execFile)
let registry: TestRegistry
beforeAll(async () => {
  registry = await startRegistry()
})
afterAll(async () => registry?.stop())

const files = {
  'deps/lib/a.js': 'export const a = 1\n'.repeat(2000),
  'deps/lib/b.js': 'export const b = 2\n'.repeat(2000),
  'assets/logo.svg': '<svg/>\n'.repeat(500),
  'app/main.js': 'console.log("v1")\n'
}
const layers = 'deps:/app/node_modules\nassets:/app/assets\napp:/app/src'
// Layer reuse across commits needs a source date that does not move with every commit (the
// default, HEAD's commit time, changes every entry's mtime and so every layer).
const sourceDate = { 'source-date-epoch': '1700000000' }

/** A repository with one commit built and pushed, and a second commit changing only the app layer. */
async function twoCommits(
  repository: string,
  extra: Record<string, string> = {}
) {
  const ws = gitWorkspace(files)
  const image = `${registry.host}/${repository}`
  const first = await build(
    {
      image,
      base: 'scratch',
      layers,
      'working-directory': ws.dir,
      ...sourceDate,
      ...extra
    },
    { env: { HOME: process.env.HOME, GITHUB_SHA: ws.sha } }
  )
  writeFileSync(join(ws.dir, 'app/main.js'), 'console.log("v2")\n')
  git(ws.dir, 'commit', '-q', '-am', 'change the app')
  const second = git(ws.dir, 'rev-parse', 'HEAD')
  return { ws, image, first, second }
}

/** The same content built where no previous image exists: the reference for "same digest". */
async function coldDigest(
  dir: string,
  sha: string,
  extra: Record<string, string> = {}
): Promise<string> {
  const fresh = `${registry.host}/cold/${createHash('sha256')
    .update(dir + Math.random())
    .digest('hex')
    .slice(0, 12)}`
  const result = await build(
    {
      image: fresh,
      base: 'scratch',
      layers,
      'working-directory': dir,
      ...sourceDate,
      ...extra
    },
    { env: { HOME: process.env.HOME, GITHUB_SHA: sha } }
  )
  expect(result.platforms[0].layers.every(l => !l.reusedFrom)).toBe(true)
  return result.digest
}

describe('unchanged layers are not compressed again', () => {
  it("reuses the parent commit image's blobs by diffID and gives the digest of a full build", async () => {
    const { ws, image, first, second } = await twoCommits('speed/reuse')
    const warm = await build(
      {
        image,
        base: 'scratch',
        layers,
        'working-directory': ws.dir,
        ...sourceDate
      },
      { env: { HOME: process.env.HOME, GITHUB_SHA: second } }
    )
    const [deps, assets, app] = warm.platforms[0].layers
    expect(deps.reusedFrom).toBe(`${image}:${first.revision}`)
    expect(assets.reusedFrom).toBe(`${image}:${first.revision}`)
    expect(app.reusedFrom).toBeUndefined()
    expect(deps.digest).toBe(first.platforms[0].layers[0].digest)
    expect(warm.digest).toBe(await coldDigest(ws.dir, second))
    // Nothing of the reused layers was uploaded again.
    expect(
      warm.push?.blobs.filter(b => b.outcome === 'uploaded').map(b => b.digest)
    ).not.toContain(deps.digest)
  })

  it('detects a wrong diffID pairing in the previous image and builds the layer instead', async () => {
    const { ws, image, first, second } = await twoCommits('speed/wrong')
    // Rewrite the previous image so that its config pairs the deps blob with the assets diffID.
    const manifest = JSON.parse(
      skopeoSync(
        'inspect',
        '--tls-verify=false',
        '--raw',
        `docker://${image}:${first.revision}`
      )
    )
    const config = JSON.parse(
      skopeoSync(
        'inspect',
        '--tls-verify=false',
        '--config',
        '--raw',
        `docker://${image}:${first.revision}`
      )
    )
    ;[config.rootfs.diff_ids[0], config.rootfs.diff_ids[1]] = [
      config.rootfs.diff_ids[1],
      config.rootfs.diff_ids[0]
    ]
    const configBytes = Buffer.from(JSON.stringify(config))
    const configDigest = `sha256:${createHash('sha256').update(configBytes).digest('hex')}`
    const upload = await fetch(
      `http://${registry.host}/v2/speed/wrong/blobs/uploads/`,
      { method: 'POST' }
    )
    const location = new URL(
      upload.headers.get('location')!,
      `http://${registry.host}`
    )
    location.searchParams.set('digest', configDigest)
    expect(
      (await fetch(location, { method: 'PUT', body: configBytes })).status
    ).toBe(201)
    manifest.config = {
      ...manifest.config,
      digest: configDigest,
      size: configBytes.length
    }
    const put = await fetch(
      `http://${registry.host}/v2/speed/wrong/manifests/${first.revision}`,
      {
        method: 'PUT',
        headers: { 'content-type': manifest.mediaType },
        body: JSON.stringify(manifest)
      }
    )
    expect(put.status).toBe(201)

    const warm = await build(
      {
        image,
        base: 'scratch',
        layers,
        'working-directory': ws.dir,
        ...sourceDate
      },
      { env: { HOME: process.env.HOME, GITHUB_SHA: second } }
    )
    expect(warm.platforms[0].layers.map(l => l.reusedFrom)).toEqual([
      undefined,
      undefined,
      undefined
    ])
    expect(warm.digest).toBe(await coldDigest(ws.dir, second))
  })

  it('falls back when the previous blob is gone, or was written with other compressor settings', async () => {
    const gone = await twoCommits('speed/gone')
    const depsBlob = gone.first.platforms[0].layers[0].digest
    expect(
      (
        await fetch(`http://${registry.host}/v2/speed/gone/blobs/${depsBlob}`, {
          method: 'DELETE'
        })
      ).status
    ).toBe(202)
    const afterDelete = await build(
      {
        image: gone.image,
        base: 'scratch',
        layers,
        'working-directory': gone.ws.dir,
        ...sourceDate
      },
      { env: { HOME: process.env.HOME, GITHUB_SHA: gone.second } }
    )
    expect(
      afterDelete.platforms[0].layers.map(l => Boolean(l.reusedFrom))
    ).toEqual([false, true, false])
    expect(afterDelete.digest).toBe(await coldDigest(gone.ws.dir, gone.second))

    const zstd = await twoCommits('speed/zstd', { compression: 'zstd' })
    const gzipNow = await build(
      {
        image: zstd.image,
        base: 'scratch',
        layers,
        'working-directory': zstd.ws.dir,
        ...sourceDate
      },
      { env: { HOME: process.env.HOME, GITHUB_SHA: zstd.second } }
    )
    expect(gzipNow.platforms[0].layers.every(l => !l.reusedFrom)).toBe(true)
    expect(gzipNow.digest).toBe(await coldDigest(zstd.ws.dir, zstd.second))
  })
})

describe('zstd', () => {
  it('writes tar+zstd layers that skopeo copies and zstd decompresses to the diffID', async () => {
    const ws = gitWorkspace(files)
    const image = `${registry.host}/speed/zstd-check`
    const result = await build(
      {
        image,
        base: 'scratch',
        layers,
        'working-directory': ws.dir,
        compression: 'zstd',
        tags: 'z'
      },
      { env: { HOME: process.env.HOME, GITHUB_SHA: ws.sha } }
    )
    const layer = result.platforms[0].layers[0]
    expect(layer.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+zstd')
    const dir = mkdtempSync(join(tmpdir(), 'imprint-zstd-'))
    await run(requireTool('skopeo'), [
      'copy',
      '--quiet',
      '--src-tls-verify=false',
      `docker://${image}:z`,
      `oci:${dir}/layout:z`
    ])
    const blob = join(dir, 'layout/blobs/sha256', layer.digest.slice(7))
    const tar = execFileSync(requireTool('zstd'), ['-d', '-c', blob], {
      maxBuffer: 64 * 1024 * 1024
    })
    expect(`sha256:${createHash('sha256').update(tar).digest('hex')}`).toBe(
      layer.diffId
    )
    expect(
      execFileSync('tar', ['-t'], { input: tar, encoding: 'utf8' })
    ).toContain('app/node_modules/lib/a.js')
    // Deterministic like gzip: the same content gives the same digest again.
    const again = await build(
      {
        image,
        base: 'scratch',
        layers,
        'working-directory': ws.dir,
        compression: 'zstd',
        push: 'false'
      },
      { env: { HOME: process.env.HOME, GITHUB_SHA: ws.sha } }
    )
    expect(again.digest).toBe(result.digest)
  })
})

describe('uploads overlap the build', () => {
  /**
   * A layer slow to compress next to a tiny one. Returns the order in which the tiny layer's
   * early upload finished and the image was assembled, and whether the registry had it then.
   */
  async function buildAndProbe(
    repository: string,
    extra: Record<string, string> = {}
  ) {
    const ws = gitWorkspace({
      'big/noise.bin': randomBytes(16 * 1024 * 1024).toString('base64'),
      'small/hello.txt': `hello ${randomBytes(8).toString('hex')}\n`
    })
    const events: string[] = []
    let probe: Promise<number> | undefined
    let smallDigest = ''
    const result = await build(
      {
        image: `${registry.host}/${repository}`,
        base: 'scratch',
        layers: 'big:/big\nsmall:/small',
        'working-directory': ws.dir,
        tags: 'latest',
        ...extra
      },
      {
        env: { HOME: process.env.HOME, GITHUB_SHA: ws.sha },
        log: { ...silentLogger, debug: message => events.push(message) },
        onAssembled: partial => {
          events.push('assembled')
          smallDigest = partial.platforms[0].layers[1].digest
          probe = fetch(
            `http://${registry.host}/v2/${repository}/blobs/${smallDigest}`,
            { method: 'HEAD' }
          ).then(r => r.status)
        }
      }
    ).catch((error: Error) => error)
    const early = events.indexOf(`${smallDigest}: uploaded during the build`)
    return {
      result,
      uploadedBeforeAssembly: early >= 0 && early < events.indexOf('assembled'),
      inRegistryAtAssembly: await probe,
      smallDigest
    }
  }

  it('sends each layer as soon as it is written, while others still compress', async () => {
    const { result, uploadedBeforeAssembly, inRegistryAtAssembly } =
      await buildAndProbe('overlap/app')
    expect(uploadedBeforeAssembly).toBe(true)
    expect(inRegistryAtAssembly).toBe(200)
    expect(result).not.toBeInstanceOf(Error)
    const pushed = (result as Awaited<ReturnType<typeof build>>).push!
    expect(pushed.blobs.filter(b => b.outcome === 'uploaded')).toHaveLength(3)
  })

  it('waits for the tag check when a tag exists: a conflict leaves the registry untouched', async () => {
    await buildAndProbe('overlap/taken')
    const {
      result,
      uploadedBeforeAssembly,
      inRegistryAtAssembly,
      smallDigest
    } = await buildAndProbe('overlap/taken')
    expect(String(result)).toContain('Tags are immutable')
    expect(uploadedBeforeAssembly).toBe(false)
    expect(inRegistryAtAssembly).toBe(404)
    const after = await fetch(
      `http://${registry.host}/v2/overlap/taken/blobs/${smallDigest}`,
      { method: 'HEAD' }
    )
    expect(after.status).toBe(404)
  })

  it('sends no base layer before the layer sources are known to be good', async () => {
    const base = `${registry.host}/overlap/busybox:latest`
    await pushBusyboxBase(base)
    const ws = gitWorkspace({ 'app/a.txt': 'a\n' })
    const failed = await build(
      {
        image: `${registry.host}/overlap/typo`,
        base,
        layers: 'app:/app\nmissing:/x',
        'working-directory': ws.dir
      },
      { env: { HOME: process.env.HOME, GITHUB_SHA: ws.sha } }
    ).catch((error: Error) => error)
    expect(String(failed)).toContain('Input "layers"')
    expect(await catalog(registry)).not.toContain('overlap/typo')
    // The same build without the typo does mount the base layers into the repository.
    const built = await build(
      {
        image: `${registry.host}/overlap/typo`,
        base,
        layers: 'app:/app',
        'working-directory': ws.dir
      },
      { env: { HOME: process.env.HOME, GITHUB_SHA: ws.sha } }
    )
    expect(built.push?.blobs.some(b => b.outcome === 'mounted')).toBe(true)
    expect(await catalog(registry)).toContain('overlap/typo')
  })
})
