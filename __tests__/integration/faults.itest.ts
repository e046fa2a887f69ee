import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startFaultProxy } from '../helpers/fault-proxy'
import { build } from '../helpers/pipeline'
import { startRegistry, type TestRegistry } from '../helpers/registry'
import { silentLogger } from '../../src/util/log'
import { requireTool } from '../helpers/tools'

let registry: TestRegistry
beforeAll(async () => {
  registry = await startRegistry()
})
afterAll(async () => registry?.stop())

/** Random content does not compress: the layer blob is about as large as the file. */
function workspace(bytes: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'imprint-faults-'))
  mkdirSync(join(dir, 'bin'))
  writeFileSync(join(dir, 'bin', 'asset.bin'), randomBytes(bytes))
  writeFileSync(join(dir, 'bin', 'small.txt'), 'small\n')
  return dir
}

/** Copies the image out of the real registry with skopeo, which checks every digest. */
function verifyWithSkopeo(reference: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'imprint-verify-'))
  execFileSync(requireTool('skopeo'), [
    'copy',
    '--quiet',
    '--src-tls-verify=false',
    `docker://${reference}`,
    `oci:${dir}:x`
  ])
  execFileSync(requireTool('umoci'), [
    'unpack',
    '--image',
    `${dir}:x`,
    join(dir, 'bundle')
  ])
}

describe('pushing through a faulty network', () => {
  it('survives 503s, a 429 with Retry-After, and a monolithic upload cut mid-body', async () => {
    let cut = false
    let limited = false
    let unavailable = 0
    const proxy = await startFaultProxy(registry.host, req => {
      if (
        req.method === 'HEAD' &&
        req.url?.includes('/blobs/') &&
        unavailable < 2
      ) {
        unavailable++
        return { kind: 'status', status: 503 }
      }
      if (
        req.method === 'POST' &&
        req.url?.includes('/blobs/uploads/') &&
        !limited
      ) {
        limited = true
        return { kind: 'status', status: 429, headers: { 'retry-after': '1' } }
      }
      if (
        req.method === 'PUT' &&
        req.url?.includes('/blobs/uploads/') &&
        Number(req.headers['content-length']) > 1_000_000 &&
        !cut
      ) {
        cut = true
        return { kind: 'cut-body', afterBytes: 600_000 }
      }
      return undefined
    })
    try {
      const started = Date.now()
      const result = await build(
        {
          image: `${proxy.host}/faults/mono`,
          base: 'scratch',
          layers: 'bin:/bin',
          tags: 'v1',
          'source-date-epoch': '0',
          'working-directory': workspace(2_500_000)
        },
        { jobs: 1 }
      )
      expect(unavailable).toBe(2)
      expect(limited).toBe(true)
      expect(cut).toBe(true)
      // The 429 asked for one second; backoff alone (20 ms base) would have been far quicker.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
      const faulted = proxy.log
        .filter(e => e.fault)
        .map(e => `${e.method} ${e.fault}`)
      expect(faulted).toEqual([
        'HEAD status',
        'HEAD status',
        'POST status',
        'PUT cut-body'
      ])
      // The cut upload was restarted from a new session, not continued on the broken one.
      const cutIndex = proxy.log.findIndex(e => e.fault === 'cut-body')
      expect(proxy.log.slice(cutIndex + 1).some(e => e.method === 'POST')).toBe(
        true
      )
      verifyWithSkopeo(`${registry.host}/faults/mono@${result.digest}`)
      expect(
        execFileSync(
          requireTool('skopeo'),
          [
            'inspect',
            '--tls-verify=false',
            '--format',
            '{{.Digest}}',
            `docker://${registry.host}/faults/mono:v1`
          ],
          { encoding: 'utf8' }
        ).trim()
      ).toBe(result.digest)
    } finally {
      await proxy.close()
    }
  })

  async function chunkedPushWithCut(repository: string, afterBytes: number) {
    let patches = 0
    const proxy = await startFaultProxy(registry.host, req => {
      if (req.method === 'PATCH' && ++patches === 2)
        return { kind: 'cut-body', afterBytes }
      return undefined
    })
    try {
      const result = await build(
        {
          image: `${proxy.host}/${repository}`,
          base: 'scratch',
          layers: 'bin:/bin',
          tags: 'v1',
          'source-date-epoch': '0',
          'working-directory': workspace(3_500_000)
        },
        { chunkThreshold: 1024 * 1024, chunkSize: 1024 * 1024, jobs: 1 }
      )
      verifyWithSkopeo(`${registry.host}/${repository}@${result.digest}`)
      const log = proxy.log.map(e => ({
        request: `${e.method}${e.fault ? ' ' + e.fault : ''}`,
        status: e.status
      }))
      const cutAt = log.findIndex(e => e.request === 'PATCH cut-body')
      expect(cutAt).toBeGreaterThan(0)
      return { afterCut: log.slice(cutAt + 1) }
    } finally {
      await proxy.close()
    }
  }

  it('resumes a chunked upload at the offset the registry reports', async () => {
    // Cut before any byte of the chunk reached the registry: the session is intact.
    const { afterCut } = await chunkedPushWithCut('faults/resumed', 0)
    // Up to the PUT that completes this blob (the config blob's own upload follows it).
    const session = afterCut.slice(
      0,
      afterCut.findIndex(e => e.request === 'PUT') + 1
    )
    expect(session[0]).toEqual({ request: 'GET', status: 204 })
    expect(session.filter(e => e.request === 'POST')).toHaveLength(0)
    expect(
      session.filter(e => e.request === 'PATCH').length
    ).toBeGreaterThanOrEqual(3)
    expect(session[session.length - 1]).toEqual({ request: 'PUT', status: 201 })
  })

  it('recovers from a chunk cut mid-body by resuming or restarting, as the registry allows', async () => {
    // distribution either keeps the session (resume at its Range) or rejects it (restart from POST),
    // depending on how much of the cut chunk it had written; the image is intact either way.
    const { afterCut } = await chunkedPushWithCut(
      'faults/cut-mid-chunk',
      300_000
    )
    expect(afterCut[0].request).toBe('GET')
    expect(afterCut[1].request).toBe(
      afterCut[0].status === 204 ? 'PATCH' : 'POST'
    )
  })
})

describe('upload sessions that cannot continue', () => {
  async function pushThrough(
    repository: string,
    decide: Parameters<typeof startFaultProxy>[1]
  ) {
    const proxy = await startFaultProxy(registry.host, decide)
    try {
      const result = await build(
        {
          image: `${proxy.host}/${repository}`,
          base: 'scratch',
          layers: 'bin:/bin',
          tags: 'v1',
          'source-date-epoch': '0',
          'working-directory': workspace(2_500_000)
        },
        { chunkThreshold: 1024 * 1024, chunkSize: 1024 * 1024, jobs: 1 }
      )
      verifyWithSkopeo(`${registry.host}/${repository}@${result.digest}`)
      return proxy.log.map(e =>
        `${e.method}${e.fault ? ' ' + e.fault : ''} ${e.status ?? ''}`.trim()
      )
    } finally {
      await proxy.close()
    }
  }

  it('restarts when the first chunk was cut before any byte arrived (Range 0-0 is ambiguous)', async () => {
    let patches = 0
    const log = await pushThrough('sessions/first-chunk', req =>
      req.method === 'PATCH' && ++patches === 1
        ? { kind: 'cut-body', afterBytes: 0 }
        : undefined
    )
    const cut = log.indexOf('PATCH cut-body')
    expect(log[cut + 1]).toBe('GET 204')
    expect(log[cut + 2]).toBe('POST 202')
  })

  it('restarts when the registry no longer knows the session', async () => {
    let patches = 0
    let statusAsked = false
    const log = await pushThrough('sessions/unknown', req => {
      if (req.method === 'PATCH' && ++patches === 2)
        return { kind: 'cut-body', afterBytes: 0 }
      if (
        req.method === 'GET' &&
        req.url?.includes('/blobs/uploads/') &&
        !statusAsked
      ) {
        statusAsked = true
        return { kind: 'status', status: 404 }
      }
      return undefined
    })
    const cut = log.indexOf('PATCH cut-body')
    expect(log[cut + 1]).toBe('GET status')
    expect(log[cut + 2]).toBe('POST 202')
  })
})

describe('credentials', () => {
  it('are never sent to an upload location on another origin', async () => {
    const user = { username: 'u', password: 'hunter2-secret' }
    const guarded = await startRegistry({ htpasswd: user })
    const foreign = await startFaultProxy(guarded.host, () => undefined)
    const front = await startFaultProxy(
      guarded.host,
      () => undefined,
      location => location.replace(/\/\/127\.0\.0\.1:\d+/, `//${foreign.host}`)
    )
    try {
      await expect(
        build({
          image: `${front.host}/acme/leak`,
          base: 'scratch',
          layers: 'bin:/bin',
          tags: 'v1',
          username: user.username,
          password: user.password,
          'working-directory': workspace(1000)
        })
      ).rejects.toThrow()
      expect(foreign.log.length).toBeGreaterThan(0)
      expect(foreign.log.filter(e => e.authorization)).toEqual([])
      expect(front.log.some(e => e.authorization)).toBe(true)
    } finally {
      await front.close()
      await foreign.close()
      await guarded.stop()
    }
  })
})

describe('a large layer uploaded while it is written', () => {
  async function followedPush(
    repository: string,
    options: { cutPatch?: number; tag?: string; dir?: string } = {}
  ) {
    const events: string[] = []
    let patches = 0
    const proxy = await startFaultProxy(registry.host, req => {
      if (req.method === 'PATCH') {
        events.push('PATCH')
        // Cut before any byte of the chunk arrives: the session stays usable, so it resumes.
        if (++patches === options.cutPatch)
          return { kind: 'cut-body', afterBytes: 0 }
      }
      return undefined
    })
    try {
      const result = await build(
        {
          image: `${proxy.host}/${repository}`,
          base: 'scratch',
          layers: 'bin:/bin',
          tags: options.tag ?? 'v1',
          'source-date-epoch': '0',
          'working-directory': options.dir ?? workspace(12_000_000)
        },
        {
          followFrom: 1024 * 1024,
          streamChunkSize: 1024 * 1024,
          log: {
            ...silentLogger,
            info: message => events.push(message),
            debug: message => events.push(message)
          }
        }
      )
      verifyWithSkopeo(`${registry.host}/${repository}@${result.digest}`)
      return { result, events, proxy }
    } finally {
      await proxy.close()
    }
  }

  it('sends chunks while the compressor still runs, and the image checks out', async () => {
    const { result, events } = await followedPush('follow/plain')
    const layer = result.platforms[0].layers[0]
    const written = events.findIndex(e => e.startsWith('bin → /bin:'))
    expect(written).toBeGreaterThan(0)
    // Chunks went out before the layer was complete, and more after.
    expect(events.slice(0, written)).toContain('PATCH')
    expect(events.filter(e => e === 'PATCH').length).toBeGreaterThanOrEqual(10)
    expect(events).toContain(
      `${layer.digest}: uploaded while it was written (bin → /bin)`
    )
    expect(result.push?.blobs.find(b => b.digest === layer.digest)).toEqual({
      digest: layer.digest,
      size: layer.size,
      outcome: 'uploaded'
    })
  })

  it("resumes at the registry's offset after a chunk is cut, while the file still grows", async () => {
    const { events, proxy } = await followedPush('follow/cut', {
      cutPatch: 2
    })
    expect(proxy.log.some(e => e.fault === 'cut-body')).toBe(true)
    const resumed = events.findIndex(e =>
      e.startsWith('resuming upload of a blob being written at byte')
    )
    expect(resumed).toBeGreaterThanOrEqual(0)
    expect(resumed).toBeLessThan(
      events.findIndex(e => e.startsWith('bin → /bin:'))
    )
    expect(proxy.log.filter(e => e.method === 'POST')).toHaveLength(2) // the layer's and the config's
    expect(events.some(e => e.includes('uploaded while it was written'))).toBe(
      true
    )
  })

  it('drops the rest of the upload when the finished layer turns out to be in the repository', async () => {
    const dir = workspace(12_000_000)
    const first = await followedPush('follow/again', { dir })
    const { result, events } = await followedPush('follow/again', {
      dir,
      tag: 'v2'
    })
    const layer = result.platforms[0].layers[0]
    expect(layer.digest).toBe(first.result.platforms[0].layers[0].digest)
    expect(events).toContain(
      `${layer.digest}: existing while it was written (bin → /bin)`
    )
    expect(result.push?.blobs.find(b => b.digest === layer.digest)).toEqual({
      digest: layer.digest,
      size: layer.size,
      outcome: 'existing'
    })
  })
})
