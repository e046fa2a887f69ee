// Issue 18, part 5: test before you push. `load: true` puts the built image into the runner's
// engine under its tags. Podman is real here (runc, storage in a temporary directory); Docker
// cannot run in this sandbox (no daemon), so where Docker is needed it is a fake script, and said so.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { findEngine } from '../../src/sinks/engine'
import type { Logger } from '../../src/util/log'
import { errorLines, runAction } from '../helpers/action'
import { pushBusyboxBase } from '../helpers/busybox-base'
import { build } from '../helpers/pipeline'
import { startRegistry, type TestRegistry } from '../helpers/registry'
import { requireTool, skopeo, skopeoSync } from '../helpers/tools'
import { gitWorkspace } from '../helpers/workspace'

let registry: TestRegistry
let base: string
/** Podman storages and fake docker directories, removed when the tests end. */
const temporary: string[] = []
beforeAll(async () => {
  registry = await startRegistry()
  base = `${registry.host}/base/busybox:latest`
  await pushBusyboxBase(base)
})
afterAll(async () => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true })
  await registry?.stop()
})

/**
 * Podman confined to a temporary directory through the environment alone, as a runner's step
 * would configure it: CONTAINERS_STORAGE_CONF (graph root and run root, vfs) and CONTAINERS_CONF
 * (its own temporary directory, no event log, cgroupfs). DOCKER_HOST names a socket nobody serves,
 * so a Docker CLI on this machine's PATH (with or without a daemon) does not answer and Podman is
 * chosen, as where Docker is absent.
 */
function podmanSandbox() {
  const podman = requireTool('podman')
  requireTool('runc')
  const dir = mkdtempSync(join(tmpdir(), 'imprint-podman-load-'))
  temporary.push(dir)
  mkdirSync(join(dir, 'tmp'))
  writeFileSync(
    join(dir, 'storage.conf'),
    `[storage]\ndriver = "vfs"\ngraphroot = "${dir}/storage"\nrunroot = "${dir}/run"\n`
  )
  writeFileSync(
    join(dir, 'containers.conf'),
    `[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "none"\ntmp_dir = "${dir}/tmp"\nimage_copy_tmp_dir = "${dir}/tmp"\n`
  )
  const env = {
    PATH: process.env.PATH ?? '',
    CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf'),
    CONTAINERS_CONF: join(dir, 'containers.conf'),
    DOCKER_HOST: `unix://${dir}/no-docker.sock`
  }
  const run = (args: string[]): string =>
    execFileSync(podman, args, {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe']
    })
  return {
    dir,
    env,
    podman: run,
    /** `podman run` of an image already in this storage, with this sandbox's runtime flags. */
    runImage: (reference: string): string =>
      run([
        '--cgroup-manager',
        'cgroupfs',
        '--events-backend',
        'none',
        'run',
        '--rm',
        '--pull',
        'never',
        '--runtime',
        'runc',
        '--network',
        'none',
        '--ulimit',
        'nofile=20000:20000',
        '--ulimit',
        'nproc=32768:32768',
        reference
      ])
  }
}

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

const app = {
  'app/run.sh': '#!/bin/sh\necho "hello from $GREETING"\n'
}

describe('load: true through the action, into Podman', () => {
  it('loads the image under its tags without pushing, runs it, and a later push reports the tested digest', async () => {
    const sandbox = podmanSandbox()
    // Podman honours the configuration: its storage is the temporary directory, not the machine's.
    expect(
      sandbox
        .podman(['info', '--format', '{{.Store.GraphRoot}} {{.Store.RunRoot}}'])
        .trim()
    ).toBe(`${sandbox.dir}/storage ${sandbox.dir}/run`)

    const ws = gitWorkspace(app, { executable: ['app/run.sh'] })
    const image = `${registry.host}/acme/tested`
    const inputs = {
      image,
      base,
      layers: 'app/run.sh:/app/run.sh',
      entrypoint: '["/app/run.sh"]',
      env: 'GREETING=the loaded image',
      tags: '{{sha}}\ntested',
      load: 'true'
    }
    const env = { GITHUB_SHA: ws.sha, ...sandbox.env }
    const references = [`${image}:${ws.sha}`, `${image}:tested`]

    const built = runAction({ ...inputs, push: 'false' }, { cwd: ws.dir, env })
    expect(errorLines(built)).toEqual([])
    expect(built.status).toBe(0)
    expect(built.stdout).toContain('::group::Load into Podman')
    const metadata = JSON.parse(built.outputs.metadata)
    expect(metadata.pushed).toBe(false)
    expect(metadata.loaded).toEqual({
      engine: 'Podman',
      platform: 'linux/amd64',
      references
    })
    expect(built.summary).toContain('| Loaded | into Podman (linux/amd64)')
    // Nothing went to the registry: what runs below came from the load.
    await expect(
      skopeo(
        'inspect',
        '--tls-verify=false',
        '--raw',
        `docker://${references[0]}`
      )
    ).rejects.toThrow()

    for (const reference of references)
      expect(sandbox.runImage(reference)).toBe('hello from the loaded image\n')
    // Podman's image ID is the config digest: the loaded image is the one built.
    expect(
      sandbox
        .podman(['image', 'inspect', '--format', '{{.Id}}', ...references])
        .trim()
        .split('\n')
    ).toEqual(references.map(() => built.outputs['config-digest'].slice(7)))

    // The recipe's promise: the same inputs with push: true push exactly the tested digest.
    const pushed = runAction({ ...inputs, push: 'true' }, { cwd: ws.dir, env })
    expect(errorLines(pushed)).toEqual([])
    expect(pushed.status).toBe(0)
    expect(pushed.outputs.digest).toBe(built.outputs.digest)
    expect(
      skopeoSync(
        'inspect',
        '--tls-verify=false',
        '--format',
        '{{.Digest}}',
        `docker://${references[0]}`
      ).trim()
    ).toBe(built.outputs.digest)
  })
})

/**
 * A `docker` that stands in for Docker, which cannot run here: `version` answers or fails as
 * asked, `load` keeps the archive, `image inspect` names the manifest digest from its index.json
 * (as Docker's containerd store does).
 */
function fakeDocker(version: 'answers' | 'no daemon'): {
  bin: string
  archive: string
} {
  const dir = mkdtempSync(join(tmpdir(), 'imprint-fake-docker-'))
  temporary.push(dir)
  const bin = join(dir, 'bin')
  mkdirSync(bin)
  const archive = join(dir, 'archive.tar')
  writeFileSync(
    join(bin, 'docker'),
    `#!/bin/sh
case "$1" in
  version) ${
    version === 'answers'
      ? 'echo "28.2.2 linux/amd64"'
      : 'echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1'
  } ;;
  load) cat > "${archive}" ;;
  tag) ;;
  image) shift 3
    id=$(tar -xOf "${archive}" index.json | grep -o 'sha256:[0-9a-f]*' | head -n 1)
    for ref in "$@"; do echo "$id"; done ;;
esac
`
  )
  chmodSync(join(bin, 'docker'), 0o755)
  return { bin, archive }
}

describe('the engine choice with a real Podman', () => {
  it('passes over a docker whose daemon does not answer and chooses Podman', async () => {
    const sandbox = podmanSandbox()
    const fake = fakeDocker('no daemon')
    const log = recording()
    const engine = await findEngine({
      env: { ...sandbox.env, PATH: `${fake.bin}:${sandbox.env.PATH}` },
      log
    })
    expect(engine).toMatchObject({
      kind: 'podman',
      name: 'Podman',
      platform: { os: 'linux', architecture: 'amd64' }
    })
    expect(log.lines[0]).toBe(
      'info: load: docker is not used: `docker version` failed (exit 1): Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'
    )
    expect(log.lines[1]).toMatch(
      /^info: load: Podman \d+\.\d+\.\d+ \(linux\/amd64\) at \//
    )
  })
})

describe('the archive a Docker gets', () => {
  it('reads as a docker-archive (what Docker before 25 loads) and as an OCI archive, by skopeo', async () => {
    const fake = fakeDocker('answers')
    const ws = gitWorkspace(app, { executable: ['app/run.sh'] })
    const image = `${registry.host}/acme/archive`
    const result = await build(
      {
        image,
        base,
        layers: 'app/run.sh:/app/run.sh',
        entrypoint: '["/app/run.sh"]',
        tags: 'v1',
        push: 'false',
        load: 'true',
        'working-directory': ws.dir
      },
      {
        env: {
          HOME: process.env.HOME,
          PATH: `${fake.bin}:${process.env.PATH}`,
          GITHUB_SHA: ws.sha
        }
      }
    )
    expect(result.loaded).toEqual({
      engine: 'Docker',
      platform: 'linux/amd64',
      references: [`${image}:v1`]
    })
    expect(existsSync(fake.archive)).toBe(true)
    // Docker's manifest.json names the config and layers: the config read back is the image's.
    const dockerConfig = JSON.parse(
      await skopeo(
        'inspect',
        '--config',
        '--raw',
        `docker-archive:${fake.archive}`
      )
    )
    const ociConfig = JSON.parse(
      await skopeo(
        'inspect',
        '--config',
        '--raw',
        `oci-archive:${fake.archive}`
      )
    )
    expect(dockerConfig).toEqual(ociConfig)
    expect(dockerConfig.config.Entrypoint).toEqual(['/app/run.sh'])
    // The OCI half holds the very manifest that was built (and would be pushed).
    const manifest = await skopeo(
      'inspect',
      '--raw',
      `oci-archive:${fake.archive}`
    )
    expect(
      `sha256:${createHash('sha256').update(manifest).digest('hex')}`
    ).toBe(result.digest)
  })
})
