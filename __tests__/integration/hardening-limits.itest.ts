// Issue #14, "bounded memory": what a registry sends is read up to a limit (a manifest is at most
// 4 MiB, as registries enforce; tokens and error bodies are small), so an endless answer fails
// the run cleanly with a small process; and large manifests are diffed in linear time. Each run
// is watched: peak RSS from /proc, killed a little above the limit asserted, so that a regression
// fails fast and cannot take the machine.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  errorLines,
  runActionWatched,
  type WatchedRun
} from '../helpers/action'
import {
  endless,
  startHostileServer,
  type HostileServer,
  type Intercept
} from '../helpers/hostile'
import { originAndClone } from '../helpers/git-origin'
import { pushEnvironment } from '../helpers/hostile-repo'
import { startRegistry, type TestRegistry } from '../helpers/registry'
import { gitWorkspace } from '../helpers/workspace'

const MiB = 1024 * 1024
/** A scratch build's action process peaks near 100 MiB; a 4 MiB cap keeps it far below this. */
const peakLimit = 300 * MiB

const manifestType = 'application/vnd.oci.image.manifest.v1+json'

/** What a run looked like, in one comparable object. */
function shape(run: WatchedRun) {
  return {
    killed: run.killed,
    status: run.status,
    errors: errorLines(run).length,
    peakUnderLimit: run.peakRssBytes < peakLimit,
    measured: run.peakRssBytes > 0
  }
}

const cleanFailure = {
  killed: undefined,
  status: 1,
  errors: 1,
  peakUnderLimit: true,
  measured: true
}

describe('finding 11: endless answers are read up to a limit', () => {
  let server: HostileServer
  let behaviour: Intercept = () => false
  beforeAll(async () => {
    server = await startHostileServer((req, res, i) => behaviour(req, res, i))
  })
  afterAll(async () => server?.close())

  const ping: Intercept = (req, res) => {
    if (req.url !== '/v2/') return false
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    return true
  }
  const endlessManifest: Intercept = (req, res) => {
    if (ping(req, res, 0)) return true
    if (!req.url?.includes('/manifests/')) return false
    res.writeHead(200, { 'content-type': manifestType })
    res.write(`{"schemaVersion":2,"mediaType":"${manifestType}","layers":[`)
    endless(
      res,
      `{"mediaType":"x","size":1,"digest":"sha256:${'a'.repeat(64)}"},`
    )
    return true
  }
  const endlessToken: Intercept = (req, res) => {
    if (req.url?.startsWith('/token')) {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"token":"')
      endless(res, 'A'.repeat(64 * 1024))
      return true
    }
    res.writeHead(401, {
      'www-authenticate': `Bearer realm="${server.origin}/token",service="hostile"`,
      'content-type': 'application/json'
    })
    res.end('{"errors":[{"code":"UNAUTHORIZED","message":"token"}]}')
    return true
  }
  const endlessError: Intercept = (req, res) => {
    if (ping(req, res, 0)) return true
    res.writeHead(404, { 'content-type': 'text/html' })
    endless(res, '<p>not found</p>'.repeat(4096))
    return true
  }
  const endlessConfig: Intercept = (req, res) => {
    if (ping(req, res, 0)) return true
    if (req.url?.includes('/manifests/')) {
      const config = { mediaType: 'application/vnd.oci.image.config.v1+json' }
      const body = JSON.stringify({
        schemaVersion: 2,
        mediaType: manifestType,
        config: { ...config, size: 2, digest: `sha256:${'c'.repeat(64)}` },
        layers: []
      })
      res.writeHead(200, {
        'content-type': manifestType,
        'content-length': String(Buffer.byteLength(body))
      })
      res.end(body)
      return true
    }
    if (!req.url?.includes('/blobs/')) return false
    res.writeHead(200, { 'content-type': 'application/octet-stream' })
    endless(res, Buffer.alloc(64 * 1024, 0x20))
    return true
  }

  it.each([
    ['an endless base manifest (cap: 4 MiB)', endlessManifest],
    ['an endless token response', endlessToken],
    ['an endless error body (capped at 64 KiB today)', endlessError],
    [
      'extra: an endless config blob whose descriptor says 2 bytes',
      endlessConfig
    ]
  ])(
    '%s fails the run with one error and a small process',
    async (_what, intercept) => {
      behaviour = intercept
      const ws = gitWorkspace({ 'app/hello.txt': 'hello\n' })
      const run = await runActionWatched(
        {
          image: `${server.host}/acme/app`,
          base: `${server.host}/base/endless:1`,
          layers: 'app:/app',
          push: 'false'
        },
        {
          cwd: ws.dir,
          env: { GITHUB_SHA: ws.sha },
          deadlineMs: 60_000,
          memoryLimitBytes: 400 * MiB
        }
      )
      expect({
        ...shape(run),
        peakMiB: Math.round(run.peakRssBytes / MiB)
      }).toEqual({ ...cleanFailure, peakMiB: expect.any(Number) })
    }
  )
})

describe('finding 13: large manifests are diffed in linear time and bounded memory', () => {
  let registry: TestRegistry
  beforeAll(async () => {
    registry = await startRegistry()
  })
  afterAll(async () => registry?.stop())

  /** A rendered bundle of about 40 000 lines (≈ 500 KB): config maps, and the image 8 times. */
  function bundle(image: string): string {
    const docs: string[] = []
    let lines = 0
    for (let d = 0; lines < 40_000; d++) {
      const doc =
        d % 125 === 0
          ? [
              'apiVersion: apps/v1',
              'kind: Deployment',
              'metadata:',
              `  name: api-${d}`,
              'spec:',
              '  template:',
              '    spec:',
              '      containers:',
              `        - name: api`,
              `          image: ${image}`
            ]
          : [
              'apiVersion: v1',
              'kind: ConfigMap',
              'metadata:',
              `  name: cm-${d}`,
              'data:',
              ...Array.from({ length: 45 }, (_, k) => `  k${k}: v${d}`)
            ]
      docs.push(['---', ...doc].join('\n'))
      lines += doc.length + 1
    }
    return `${docs.join('\n')}\n`
  }

  it('a 40 000-line manifest with manifest-commit: none is edited within seconds', async () => {
    const image = `${registry.host}/hostile/bundle`
    const before = bundle(`${image}:old`)
    expect(before.split('\n').length).toBeGreaterThanOrEqual(40_000)
    const repo = originAndClone({
      'app/hello.txt': 'hello\n',
      'deploy/bundle.yaml': before
    })
    const run = await runActionWatched(
      {
        image,
        base: 'scratch',
        layers: 'app:/app',
        manifests: 'deploy/bundle.yaml',
        'manifest-commit': 'none'
      },
      {
        cwd: repo.workspace,
        env: pushEnvironment(repo.sha),
        deadlineMs: 90_000,
        memoryLimitBytes: 600 * MiB
      }
    )
    const after = readFileSync(
      join(repo.workspace, 'deploy/bundle.yaml'),
      'utf8'
    )
    expect({
      killed: run.killed,
      status: run.status,
      errors: errorLines(run),
      edited:
        after ===
        bundle(`${image}:${repo.sha}@${run.outputs.digest ?? 'none'}`),
      summary: run.summary.includes('### Imprint'),
      withinSeconds: run.elapsedMs < 20_000,
      smallProcess: run.peakRssBytes < 512 * MiB
    }).toEqual({
      killed: undefined,
      status: 0,
      errors: [],
      edited: true,
      summary: true,
      withinSeconds: true,
      smallProcess: true
    })
  })
})
