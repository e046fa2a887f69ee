// `load`'s engine choice and the command lines it issues. Docker cannot run in this sandbox (no
// daemon, no way to start one), so its side is a fake `docker` script on a temporary PATH that
// records what it is asked; Podman is real and tested in __tests__/integration/load.itest.ts.
import { execFileSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import { sha256 } from '../../../src/oci/digest'
import { bytesBlob, image, index, type Image } from '../../../src/oci/image'
import { MediaType } from '../../../src/oci/media-types'
import type { Platform } from '../../../src/oci/types'
import { loadTarget } from '../../../src/pipeline/push'
import {
  EngineUnavailable,
  findEngine,
  loadIntoEngine
} from '../../../src/sinks/engine'
import type { Logger } from '../../../src/util/log'

/** Temporary directories of these tests, removed at the end. */
const made: string[] = []
const temporaryDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})

function recording(): Logger & { lines: string[] } {
  const lines: string[] = []
  return {
    lines,
    debug: () => {},
    info: m => lines.push(`info: ${m}`),
    warning: m => lines.push(`warning: ${m}`),
    group: (_name, fn) => fn()
  }
}

interface Fake {
  /** A PATH holding only the fake `docker` (and nothing else of this machine's). */
  bin: string
  dir: string
  /** Each call's arguments, one line per call. */
  calls(): string[]
  /** The archive `docker load` was given, unpacked. */
  archive(): string
  /** Whether the child a `wrapped hang` started is still running. */
  childRuns(): boolean
}

/**
 * A `docker` that answers like Docker 28 (or fails, or hangs) and records its arguments, its
 * environment's DOCKER_HOST and any input or token variable it was handed, and the archive.
 */
function fakeDocker(
  behaviour: {
    /** `wrapped hang`: a shell that waits for a child of its own, which holds its output open. */
    version?: 'answers' | 'no daemon' | 'hangs' | 'wrapped hang'
    platform?: string
    load?: 'ok' | 'fails' | 'wrapped hang'
    /** What `image inspect --format {{.Id}}` prints for every reference. */
    id?: string
  } = {}
): Fake {
  const dir = temporaryDir('imprint-fake-docker-')
  const bin = join(dir, 'bin')
  mkdirSync(bin)
  const log = join(dir, 'calls')
  // Not `exec`: the shell waits for its own child, which inherits stdout; the child's pid is kept.
  const wrappedHang = `/bin/sleep 200 & echo $! > "${dir}/child.pid"; wait $!`
  const version = {
    answers: `echo "28.2.2 ${behaviour.platform ?? 'linux/amd64'}"`,
    'no daemon':
      'echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1',
    hangs: 'exec /bin/sleep 30',
    'wrapped hang': wrappedHang
  }[behaviour.version ?? 'answers']
  const load = {
    ok: `/bin/cat > "${dir}/archive.tar"; echo "Loaded image: $FIRST"`,
    fails: `/bin/cat > /dev/null; i=0; while [ $i -lt 200 ]; do echo "progress line $i"; i=$((i+1)); done; echo "Error response from daemon: archive/tar: invalid tar header" >&2; exit 1`,
    'wrapped hang': `/bin/cat > /dev/null; ${wrappedHang}`
  }[behaviour.load ?? 'ok']
  writeFileSync(
    join(bin, 'docker'),
    `#!/bin/sh
echo "$*" >> "${log}"
/usr/bin/env | /bin/grep -E '^(DOCKER_HOST|INPUT_[A-Z_]*|GITHUB_TOKEN|ACTIONS_RUNTIME_TOKEN)=' | /bin/sed 's/^/  env /' >> "${log}"
case "$1" in
  version) ${version} ;;
  load) ${load} ;;
  tag) ;;
  image) shift 3; for ref in "$@"; do echo "${behaviour.id ?? ''}"; done ;;
esac
`
  )
  chmodSync(join(bin, 'docker'), 0o755)
  return {
    bin,
    dir,
    calls: () =>
      existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [],
    archive: () => {
      const out = join(dir, 'unpacked')
      mkdirSync(out, { recursive: true })
      execFileSync('tar', ['-xf', join(dir, 'archive.tar'), '-C', out])
      return out
    },
    childRuns: () => {
      const file = join(dir, 'child.pid')
      if (!existsSync(file)) return false
      const pid = readFileSync(file, 'utf8').trim()
      // A killed child may be a zombie for a moment, until init reaps it.
      const stat = existsSync(`/proc/${pid}/stat`)
        ? readFileSync(`/proc/${pid}/stat`, 'utf8')
        : ''
      return stat !== '' && !/^\d+ \(.*\) Z /.test(stat)
    }
  }
}

const amd64: Platform = { os: 'linux', architecture: 'amd64' }
const arm64: Platform = { os: 'linux', architecture: 'arm64' }

function testImage(platform: Platform, content = 'layer'): Image {
  const layer = bytesBlob(MediaType.ociLayerGzip, Buffer.from(content))
  return image(
    platform,
    {
      architecture: platform.architecture,
      os: platform.os,
      rootfs: { type: 'layers', diff_ids: [sha256(Buffer.from(content))] }
    },
    [layer]
  )
}

const refs = ['127.0.0.1:5000/acme/app:v1', '127.0.0.1:5000/acme/app:tested']

describe('findEngine', () => {
  it('chooses Docker when its daemon answers, with the front end environment minus inputs and tokens', async () => {
    const fake = fakeDocker()
    const log = recording()
    const engine = await findEngine({
      env: {
        PATH: fake.bin,
        DOCKER_HOST: 'unix:///run/elsewhere.sock',
        INPUT_PASSWORD: 'hunter2',
        GITHUB_TOKEN: 'ghs_secret',
        ACTIONS_RUNTIME_TOKEN: 'runtime'
      },
      log
    })
    expect(engine).toMatchObject({
      kind: 'docker',
      name: 'Docker',
      path: join(fake.bin, 'docker'),
      version: '28.2.2',
      platform: amd64
    })
    expect(fake.calls()).toEqual([
      'version --format {{.Server.Version}} {{.Server.Os}}/{{.Server.Arch}}',
      '  env DOCKER_HOST=unix:///run/elsewhere.sock'
    ])
    expect(log.lines).toEqual([
      `info: load: Docker 28.2.2 (linux/amd64) at ${join(fake.bin, 'docker')}`
    ])
  })

  it('names both engines and why when neither answers', async () => {
    const fake = fakeDocker({ version: 'no daemon' })
    const log = recording()
    const error = await findEngine({ env: { PATH: fake.bin }, log }).catch(
      e => e as Error
    )
    expect(error).toBeInstanceOf(EngineUnavailable)
    expect((error as Error).message).toBe(
      'needs Docker or Podman on the runner, and neither answered (docker: `docker version` failed (exit 1): Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?; podman: not found on PATH)'
    )
    // The pipeline's wording: what to fix, in one line.
    const empty = temporaryDir('imprint-empty-path-')
    await expect(
      loadTarget({ load: true }, { env: { PATH: empty }, log })
    ).rejects.toThrow(
      'load: true needs Docker or Podman on the runner, and neither answered (docker: not found on PATH; podman: not found on PATH)'
    )
    await expect(
      loadTarget({ load: false }, { env: { PATH: empty }, log })
    ).resolves.toBeUndefined()
  })

  it('gives up on a docker that does not answer in time', async () => {
    const fake = fakeDocker({ version: 'hangs' })
    const started = Date.now()
    await expect(
      findEngine({
        env: { PATH: fake.bin },
        log: recording(),
        timeouts: { probeMs: 300 }
      })
    ).rejects.toThrow(
      'docker: `docker version` did not finish within 300 ms; podman: not found on PATH'
    )
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('gives up in time on a docker that is a wrapper script, and stops what it started', async () => {
    const fake = fakeDocker({ version: 'wrapped hang' })
    const started = Date.now()
    await expect(
      findEngine({
        env: { PATH: fake.bin },
        log: recording(),
        timeouts: { probeMs: 300 }
      })
    ).rejects.toThrow(
      'docker: `docker version` did not finish within 300 ms; podman: not found on PATH'
    )
    expect(Date.now() - started).toBeLessThan(5000)
    await stopped(fake)
  })
})

/** Waits until the child of a `wrapped hang` is gone (a hang fails by jest's timeout). */
async function stopped(fake: Fake): Promise<void> {
  while (fake.childRuns()) await new Promise(done => setTimeout(done, 20))
}

describe('loadIntoEngine', () => {
  it('streams one archive into `docker load`, tags the other references and checks them', async () => {
    const img = testImage(amd64)
    const fake = fakeDocker({ id: img.configBlob.descriptor.digest })
    const log = recording()
    const engine = await findEngine({ env: { PATH: fake.bin }, log })
    const tempDir = temporaryDir('imprint-load-temp-')
    const report = await loadIntoEngine(engine, img, refs, { tempDir, log })
    expect(report).toEqual({
      engine: 'Docker',
      platform: 'linux/amd64',
      references: refs
    })
    expect(fake.calls().filter(c => !c.startsWith(' '))).toEqual([
      'version --format {{.Server.Version}} {{.Server.Os}}/{{.Server.Arch}}',
      'load --quiet',
      `tag ${refs[0]} ${refs[1]}`,
      `image inspect --format {{.Id}} ${refs[0]} ${refs[1]}`
    ])
    // The archive: an OCI layout naming the first reference, plus Docker's manifest.json.
    const dir = fake.archive()
    expect(readdirSync(dir).sort()).toEqual([
      'blobs',
      'index.json',
      'manifest.json',
      'oci-layout'
    ])
    const hex = (d: string) => d.slice('sha256:'.length)
    expect(readdirSync(join(dir, 'blobs', 'sha256')).sort()).toEqual(
      [
        hex(img.digest),
        hex(img.configBlob.descriptor.digest),
        hex(img.layers[0].descriptor.digest)
      ].sort()
    )
    for (const name of readdirSync(join(dir, 'blobs', 'sha256')))
      expect(sha256(readFileSync(join(dir, 'blobs', 'sha256', name)))).toBe(
        `sha256:${name}`
      )
    expect(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'))).toEqual({
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: [
        {
          mediaType: MediaType.ociManifest,
          digest: img.digest,
          size: img.manifestBytes.length,
          annotations: {
            'io.containerd.image.name': refs[0],
            'org.opencontainers.image.ref.name': 'v1'
          }
        }
      ]
    })
    expect(
      JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))
    ).toEqual([
      {
        Config: `blobs/sha256/${hex(img.configBlob.descriptor.digest)}`,
        RepoTags: [refs[0]],
        Layers: [`blobs/sha256/${hex(img.layers[0].descriptor.digest)}`]
      }
    ])
    // Nothing is left in the run's temporary directory.
    expect(readdirSync(tempDir)).toEqual([])
  })

  it("loads the engine's platform of an index, and says so", async () => {
    const images = [testImage(amd64, 'a'), testImage(arm64, 'b')]
    const fake = fakeDocker({
      platform: 'linux/arm64',
      id: images[1].digest // Docker's containerd store: the manifest digest
    })
    const log = recording()
    const engine = await findEngine({ env: { PATH: fake.bin }, log })
    const report = await loadIntoEngine(engine, index(images), refs, {
      tempDir: temporaryDir('imprint-load-temp-'),
      log
    })
    expect(report.platform).toBe('linux/arm64')
    const loaded = JSON.parse(
      readFileSync(join(fake.archive(), 'index.json'), 'utf8')
    )
    expect(loaded.manifests.map((m: { digest: string }) => m.digest)).toEqual([
      images[1].digest
    ])
    expect(log.lines).toContain(
      "info: the image has 2 platforms (linux/amd64, linux/arm64); loading linux/arm64, Docker's platform"
    )
  })

  it('summarises a failed load in one line and leaves no archive behind', async () => {
    const fake = fakeDocker({ load: 'fails' })
    const log = recording()
    const engine = await findEngine({ env: { PATH: fake.bin }, log })
    const tempDir = temporaryDir('imprint-load-temp-')
    const error = (await loadIntoEngine(engine, testImage(amd64), refs, {
      tempDir,
      log
    }).catch(e => e)) as Error
    expect(error.message).toBe(
      'Docker: `docker load` failed (exit 1): Error response from daemon: archive/tar: invalid tar header'
    )
    expect(readdirSync(tempDir)).toEqual([])
  })

  it('gives up in time on a `docker load` that is a wrapper script, and stops what it started', async () => {
    const fake = fakeDocker({ load: 'wrapped hang' })
    const log = recording()
    const engine = await findEngine({ env: { PATH: fake.bin }, log })
    const tempDir = temporaryDir('imprint-load-temp-')
    const started = Date.now()
    await expect(
      loadIntoEngine(engine, testImage(amd64), refs, {
        tempDir,
        log,
        timeouts: { loadMs: 300 }
      })
    ).rejects.toThrow('Docker: `docker load` did not finish within 300 ms')
    expect(Date.now() - started).toBeLessThan(5000)
    await stopped(fake)
    expect(readdirSync(tempDir)).toEqual([])
  })

  it('refuses references that name another image after the load', async () => {
    const img = testImage(amd64)
    const fake = fakeDocker({ id: `sha256:${'f'.repeat(64)}` })
    const log = recording()
    const engine = await findEngine({ env: { PATH: fake.bin }, log })
    await expect(
      loadIntoEngine(engine, img, refs, {
        tempDir: temporaryDir('imprint-load-temp-'),
        log
      })
    ).rejects.toThrow(
      `Docker: after loading, ${refs[0]} is image ${'f'.repeat(64)}, not ${img.configBlob.descriptor.digest} (config) or ${img.digest} (manifest)`
    )
  })
})
