import { execFileSync } from 'node:child_process'
import {
  mkdtempSync,
  readFileSync,
  utimesSync,
  writeFileSync,
  mkdirSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { pushBusyboxBase } from '../helpers/busybox-base'
import { startFaultProxy } from '../helpers/fault-proxy'
import { build } from '../helpers/pipeline'
import { startRegistry, type TestRegistry } from '../helpers/registry'
import { requireTool, skopeo } from '../helpers/tools'
import { gitWorkspace } from '../helpers/workspace'

let registry: TestRegistry
let other: TestRegistry

beforeAll(async () => {
  ;[registry, other] = await Promise.all([startRegistry(), startRegistry()])
})
afterAll(async () => {
  await registry?.stop()
  await other?.stop()
})

describe('reproducibility', () => {
  it('gives the same digest for two checkouts in different directories with different mtimes', async () => {
    const files = {
      'src/index.js': 'console.log(1)\n',
      'src/lib/util.js': 'export const x = 1\n',
      'assets/logo.svg': '<svg/>\n',
      'bin/start': '#!/bin/sh\nexec node /app/src/index.js\n'
    }
    const a = gitWorkspace(files, { executable: ['bin/start'] })
    const b = gitWorkspace(files, { executable: ['bin/start'] })
    utimesSync(join(b.dir, 'src/index.js'), 12345, 12345)
    utimesSync(join(b.dir, 'src/lib'), 999999999, 999999999)
    const inputs = {
      image: 'registry.example/acme/repro',
      base: 'scratch',
      layers:
        'src:/app/src\nassets:/app/assets\nbin/start:/usr/local/bin/start',
      push: 'false',
      tags: 'x'
    }
    const first = await build({ ...inputs, 'working-directory': a.dir })
    const second = await build({ ...inputs, 'working-directory': b.dir })
    expect(a.dir).not.toBe(b.dir)
    expect(second.digest).toBe(first.digest)
    expect(second.platforms[0].layers).toEqual(first.platforms[0].layers)
    const later = await build({
      ...inputs,
      'working-directory': b.dir,
      'source-date-epoch': '1700000001'
    })
    expect(later.digest).not.toBe(first.digest)
    // Another commit time changes the image's created time, not its layers (file-mtime is fixed).
    expect(later.platforms[0].layers).toEqual(first.platforms[0].layers)
    const sourceDated = await build({
      ...inputs,
      'working-directory': b.dir,
      'source-date-epoch': '1700000001',
      'file-mtime': 'source-date'
    })
    expect(sourceDated.platforms[0].layers[0].digest).not.toBe(
      first.platforms[0].layers[0].digest
    )
  })

  it('stamps every layer entry with file-mtime: 2000-01-01 by default, or the time given', async () => {
    const ws = gitWorkspace({ 'app/a.txt': 'a\n', 'app/sub/b.txt': 'b\n' })
    const times = async (fileMtime?: string): Promise<string[]> => {
      const layout = join(mkdtempSync(join(tmpdir(), 'imprint-mtime-')), 'oci')
      const result = await build({
        image: 'registry.example/acme/mtime',
        base: 'scratch',
        layers: 'app:/app',
        push: 'false',
        tags: 'x',
        'oci-layout': layout,
        'working-directory': ws.dir,
        ...(fileMtime ? { 'file-mtime': fileMtime } : {})
      })
      const blob = join(
        layout,
        'blobs/sha256',
        result.platforms[0].layers[0].digest.slice(7)
      )
      // GNU tar's own reading of the entries: date and time columns, UTC.
      const listing = execFileSync(
        requireTool('tar'),
        ['-tvzf', blob, '--full-time', '--utc'],
        { encoding: 'utf8' }
      )
      return [
        ...new Set(
          listing
            .trim()
            .split('\n')
            .map(line => line.split(/\s+/).slice(3, 5).join(' '))
        )
      ]
    }
    expect(await times()).toEqual(['2000-01-01 00:00:00'])
    expect(await times('2021-06-01T12:00:00+02:00')).toEqual([
      '2021-06-01 10:00:00'
    ])
    expect(await times('86400')).toEqual(['1970-01-02 00:00:00'])
  })
})

describe('OCI layout and multi-platform', () => {
  it('writes a layout umoci and skopeo read, with one image per platform from {{arch}} sources', async () => {
    const ws = gitWorkspace({
      'bin/amd64/app': 'x86 build\n',
      'bin/arm64/app': 'arm build\n',
      'etc/app.conf': 'shared\n'
    })
    const layout = join(mkdtempSync(join(tmpdir(), 'imprint-layout-')), 'oci')
    const result = await build({
      image: `${registry.host}/acme/multi`,
      base: 'scratch',
      platforms: 'linux/amd64,linux/arm64',
      layers: 'etc:/etc/app\nbin/{{arch}}/app:/usr/bin/app',
      'working-directory': ws.dir,
      'oci-layout': layout,
      tags: 'multi'
    })
    const raw = JSON.parse(
      await skopeo(
        'inspect',
        '--tls-verify=false',
        '--raw',
        `docker://${registry.host}/acme/multi:multi`
      )
    )
    expect(raw.mediaType).toBe('application/vnd.oci.image.index.v1+json')
    expect(
      raw.manifests.map(
        (m: { platform: { architecture: string } }) => m.platform.architecture
      )
    ).toEqual(['amd64', 'arm64'])
    expect(result.platforms.map(p => p.digest)).toEqual(
      raw.manifests.map((m: { digest: string }) => m.digest)
    )
    // The shared layer is one blob; the per-arch layers differ.
    const [amd, arm] = result.platforms
    expect(amd.layers[0].digest).toBe(arm.layers[0].digest)
    expect(amd.layers[1].digest).not.toBe(arm.layers[1].digest)

    for (const [arch, content] of [
      ['amd64', 'x86 build\n'],
      ['arm64', 'arm build\n']
    ]) {
      const config = JSON.parse(
        await skopeo(
          'inspect',
          '--tls-verify=false',
          '--override-arch',
          arch,
          '--config',
          `docker://${registry.host}/acme/multi:multi`
        )
      )
      expect(config.architecture).toBe(arch)
      // Each platform's manifest in the layout is followed by digest to its own app layer.
      const platform = result.platforms.find(
        p => p.platform === `linux/${arch}`
      )
      const manifest = JSON.parse(
        readFileSync(
          join(layout, 'blobs/sha256', platform!.digest.slice(7)),
          'utf8'
        )
      )
      const blob = join(
        layout,
        'blobs/sha256',
        manifest.layers[1].digest.slice(7)
      )
      expect(
        execFileSync('tar', ['-xzOf', blob, 'usr/bin/app'], {
          encoding: 'utf8'
        })
      ).toBe(content)
    }
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'))
    expect(index.manifests).toEqual([
      {
        mediaType: 'application/vnd.oci.image.index.v1+json',
        digest: result.digest,
        size: expect.any(Number),
        annotations: { 'org.opencontainers.image.ref.name': 'multi' }
      }
    ])
    // skopeo copies the whole index out of the layout and checks every blob on the way.
    await skopeo(
      'copy',
      '--quiet',
      '--all',
      `oci:${layout}:multi`,
      `oci:${layout}-copy:multi`
    )
  })

  it('builds every platform of a multi-platform base with platforms: all', async () => {
    const ws = gitWorkspace({ 'app/a.txt': 'a\n' })
    const base = await build({
      image: `${registry.host}/base/multi`,
      base: 'scratch',
      platforms: 'linux/amd64,linux/arm64/v8',
      layers: 'app:/base',
      'working-directory': ws.dir,
      tags: 'v1'
    })
    const result = await build({
      image: `${registry.host}/acme/all`,
      base: `${registry.host}/base/multi:v1`,
      platforms: 'all',
      layers: 'app:/app',
      'working-directory': ws.dir,
      tags: 'v1'
    })
    expect(result.platforms.map(p => p.platform)).toEqual([
      'linux/amd64',
      'linux/arm64/v8'
    ])
    expect(result.base).toEqual({
      name: `${registry.host}/base/multi:v1`,
      digest: base.digest
    })
    const raw = JSON.parse(
      await skopeo(
        'inspect',
        '--tls-verify=false',
        '--raw',
        `docker://${registry.host}/acme/all:v1`
      )
    )
    expect(raw.annotations['org.opencontainers.image.base.digest']).toBe(
      base.digest
    )
    const child = JSON.parse(
      await skopeo(
        'inspect',
        '--tls-verify=false',
        '--raw',
        `docker://${registry.host}/acme/all@${raw.manifests[1].digest}`
      )
    )
    expect(child.annotations['org.opencontainers.image.base.digest']).toBe(
      base.platforms[1].digest
    )
    expect(child.layers[0].digest).toBe(base.platforms[1].layers[0].digest)
  })

  it('refuses a platform the base does not have', async () => {
    const ws = gitWorkspace({ 'app/a.txt': 'a\n' })
    await build({
      image: `${registry.host}/base/amd64only`,
      base: 'scratch',
      layers: 'app:/base',
      'working-directory': ws.dir,
      tags: 'v1'
    })
    await expect(
      build({
        image: `${registry.host}/acme/x`,
        base: `${registry.host}/base/amd64only:v1`,
        platforms: 'linux/arm64',
        layers: 'app:/app',
        'working-directory': ws.dir,
        tags: 'v1',
        push: 'false'
      })
    ).rejects.toThrow(
      /single-platform image for linux\/amd64; it cannot serve linux\/arm64/
    )
  })
})

describe('a base on another registry', () => {
  it('copies base layers the target lacks, and never downloads them once it has them', async () => {
    await pushBusyboxBase(`${other.host}/library/busybox:latest`)
    const proxy = await startFaultProxy(other.host, () => undefined)
    try {
      const ws = gitWorkspace({ 'app/v.txt': 'one\n' })
      const inputs = {
        image: `${registry.host}/acme/copied`,
        base: `${proxy.host}/library/busybox:latest`,
        layers: 'app:/app',
        'working-directory': ws.dir
      }
      const first = await build({ ...inputs, tags: 'one' })
      const baseLayer = first.platforms[0].layers[0].digest
      expect(first.push?.blobs.find(b => b.digest === baseLayer)?.outcome).toBe(
        'uploaded'
      )
      expect(
        proxy.log.filter(
          e => e.method === 'GET' && e.path.includes(`/blobs/${baseLayer}`)
        )
      ).toHaveLength(1)

      proxy.log.length = 0
      writeFileSync(join(ws.dir, 'app/v.txt'), 'two\n')
      const second = await build({ ...inputs, tags: 'two' })
      expect(second.digest).not.toBe(first.digest)
      expect(
        second.push?.blobs.find(b => b.digest === baseLayer)?.outcome
      ).toBe('existing')
      // Only the base's manifest and config were read; no layer bytes crossed.
      expect(
        proxy.log.filter(e => e.path.includes(`/blobs/${baseLayer}`))
      ).toEqual([])
      const dir = mkdtempSync(join(tmpdir(), 'imprint-copied-'))
      mkdirSync(dir, { recursive: true })
      await skopeo(
        'copy',
        '--quiet',
        '--src-tls-verify=false',
        `docker://${registry.host}/acme/copied:two`,
        `oci:${dir}/l:x`
      )
      execFileSync(requireTool('umoci'), [
        'unpack',
        '--image',
        `${dir}/l:x`,
        `${dir}/bundle`
      ])
      expect(readFileSync(`${dir}/bundle/rootfs/app/v.txt`, 'utf8')).toBe(
        'two\n'
      )
    } finally {
      await proxy.close()
    }
  })
})
