import { spawn } from 'node:child_process'
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { tarStream, type TarEntry } from '../layer/tar'
import { digestHex, type Digest } from '../oci/digest'
import { canonicalBytes, type Artifact, type Image } from '../oci/image'
import { MediaType } from '../oci/media-types'
import { formatPlatform, platformMatches } from '../oci/platform'
import type { ImageIndex, Platform } from '../oci/types'
import type { Logger } from '../util/log'
import { foreignText } from '../util/text'
import { writeLayout } from './layout'
import { findExecutable } from '../util/executable'

/** A container engine whose CLI answered: where images are loaded for a later step to run. */
export interface Engine {
  readonly kind: 'docker' | 'podman'
  /** For people: `Docker`, `Podman`. */
  readonly name: string
  /** The CLI, found on the front end's PATH. */
  readonly path: string
  readonly version: string
  /** The daemon's (or Podman host's) platform: the image of an index that gets loaded. */
  readonly platform: Platform
  /** The front end's environment, without inputs or tokens: the engine needs none of them. */
  readonly env: NodeJS.ProcessEnv
}

/** What a load did, for the result and the summary. */
export interface LoadReport {
  engine: string
  /** The platform of the image loaded (of an index, the engine's, else the first). */
  platform: string
  /** `REPOSITORY:TAG` references the engine now has for it. */
  references: string[]
}

export interface EngineTimeouts {
  /** `docker version` / `podman info`: an engine that does not answer within this is not used. */
  probeMs?: number
  /** Streaming the archive into `load`. */
  loadMs?: number
  /** Each `tag` and the final `image inspect`. */
  commandMs?: number
}

const defaults: Required<EngineTimeouts> = {
  probeMs: 10_000,
  loadMs: 10 * 60_000,
  commandMs: 60_000
}

/** Neither Docker nor Podman answered; the message says why, for each. */
export class EngineUnavailable extends Error {
  constructor(readonly reasons: string[]) {
    super(
      `needs Docker or Podman on the runner, and neither answered (${reasons.join('; ')})`
    )
    this.name = 'EngineUnavailable'
  }
}

/**
 * The engine's environment: the front end's (PATH, HOME, DOCKER_HOST, DOCKER_CONFIG, CONTAINER_HOST,
 * CONTAINERS_STORAGE_CONF, XDG_RUNTIME_DIR, …), minus the step's inputs and anything named like a
 * credential: loading involves no secret, so none is handed to another program.
 */
export function engineEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(
      ([name]) =>
        !name.startsWith('INPUT_') && !/TOKEN|PASSWORD|SECRET/i.test(name)
    )
  )
}

interface Ran {
  code: number | null
  stdout: string
  stderr: string
  timedOut: boolean
  /** Why the input could not be written, when it could not (the engine may have stopped reading). */
  inputError?: Error
}

/** Keeps the end of a stream's text: an engine's output is only ever summarised. */
class Tail {
  private text = ''
  add(chunk: Buffer): void {
    this.text = (this.text + chunk.toString('utf8')).slice(-64 * 1024)
  }
  toString(): string {
    return this.text
  }
}

/**
 * Runs the engine's CLI within `timeoutMs`, optionally feeding it `input`. It runs in a process
 * group of its own, killed whole when time is up, and the answer does not wait for its output to
 * close: a wrapper script's children (a `docker` that runs `docker.real` without `exec`) hold that
 * output open, and would otherwise keep the limit from holding.
 */
function run(
  command: { path: string; env: NodeJS.ProcessEnv },
  args: string[],
  timeoutMs: number,
  input?: AsyncIterable<Buffer>
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command.path, args, {
      env: command.env,
      stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      detached: true
    })
    const stdout = new Tail()
    const stderr = new Tail()
    child.stdout?.on('data', (chunk: Buffer) => stdout.add(chunk))
    child.stderr?.on('data', (chunk: Buffer) => stderr.add(chunk))
    let settled = false
    const settle = (): boolean => {
      if (settled) return false
      settled = true
      clearTimeout(timer)
      return true
    }
    const timer = setTimeout(() => {
      if (!settle()) return
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
      child.stdin?.destroy()
      child.stdout?.destroy()
      child.stderr?.destroy()
      resolve({
        code: null,
        stdout: stdout.toString(),
        stderr: stderr.toString(),
        timedOut: true
      })
    }, timeoutMs)
    const feeding: Promise<Error | undefined> =
      input && child.stdin
        ? pipeline(Readable.from(input), child.stdin).then(
            () => undefined,
            (error: Error) => error
          )
        : Promise.resolve(undefined)
    child.once('error', error => {
      if (settle()) reject(error)
    })
    child.once('close', code => {
      if (!settle()) return
      void feeding.then(inputError =>
        resolve({
          code,
          stdout: stdout.toString(),
          stderr: stderr.toString(),
          timedOut: false,
          inputError
        })
      )
    })
  })
}

/** One line of what an engine said on failure: its error lines, else its last lines. */
function summary(ran: Ran): string {
  const lines = `${ran.stderr}\n${ran.stdout}`
    .split('\n')
    .map(line => line.trim())
    .filter(Boolean)
  const errors = lines.filter(line => /error|denied|cannot|invalid/i.test(line))
  const chosen = (errors.length ? errors : lines).slice(-3)
  return chosen.length ? foreignText(chosen.join(' '), 300) : 'no output'
}

/** What went wrong with one command, for a message: it timed out, or what it said. */
function problem(what: string, ran: Ran, timeoutMs: number): string {
  return ran.timedOut
    ? `\`${what}\` did not finish within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}`
    : `\`${what}\` failed (exit ${ran.code ?? 'by signal'}): ${summary(ran)}`
}

function failure(
  engine: Engine,
  what: string,
  ran: Ran,
  timeoutMs: number
): Error {
  return new Error(`${engine.name}: ${problem(what, ran, timeoutMs)}`)
}

const probes = {
  docker: {
    name: 'Docker',
    // Asks the daemon, not only the CLI: a CLI without a reachable daemon cannot load anything.
    args: [
      'version',
      '--format',
      '{{.Server.Version}} {{.Server.Os}}/{{.Server.Arch}}'
    ]
  },
  podman: {
    name: 'Podman',
    // `info` opens the storage (and, remote, the service): what `load` will need.
    args: [
      'info',
      '--format',
      '{{.Version.Version}} {{.Host.OS}}/{{.Host.Arch}}'
    ]
  }
} as const

/**
 * The engine to load into: Docker when its CLI is on PATH and its daemon answers within a few
 * seconds, else Podman when it answers, else an `EngineUnavailable` naming both and why. Looked up
 * in the front end's environment only; called before anything is built.
 */
export async function findEngine(options: {
  env: NodeJS.ProcessEnv
  log: Logger
  timeouts?: EngineTimeouts
}): Promise<Engine> {
  const env = engineEnvironment(options.env)
  const timeoutMs = options.timeouts?.probeMs ?? defaults.probeMs
  const reasons: string[] = []
  for (const kind of ['docker', 'podman'] as const) {
    const probe = probes[kind]
    const path = await findExecutable(kind, env)
    if (!path) {
      reasons.push(`${kind}: not found on PATH`)
      continue
    }
    const what = `${kind} ${probe.args[0]}`
    const ran = await run({ path, env }, [...probe.args], timeoutMs).catch(
      (error: Error): Ran => ({
        code: null,
        stdout: '',
        stderr: error.message,
        timedOut: false
      })
    )
    const answer = /^(\S+) ([a-z0-9]+)\/([a-z0-9]+)$/.exec(ran.stdout.trim())
    if (ran.code === 0 && answer) {
      const engine: Engine = {
        kind,
        name: probe.name,
        path,
        version: answer[1],
        platform: { os: answer[2], architecture: answer[3] },
        env
      }
      options.log.info(
        `load: ${engine.name} ${engine.version} (${formatPlatform(engine.platform)}) at ${path}`
      )
      return engine
    }
    const reason =
      ran.code === 0
        ? `\`${what}\` answered unexpectedly: ${foreignText(ran.stdout, 120) || 'nothing'}`
        : problem(what, ran, timeoutMs)
    reasons.push(`${kind}: ${reason}`)
    options.log.info(`load: ${kind} is not used: ${reason}`)
  }
  throw new EngineUnavailable(reasons)
}

/**
 * The image an engine gets: an engine holds one image per tag, so of an index the one for the
 * engine's platform (else the first, with a warning); said in the log either way.
 */
function imageFor(artifact: Artifact, engine: Engine, log: Logger): Image {
  const wanted = formatPlatform(engine.platform)
  if (artifact.kind === 'image') {
    if (!platformMatches(artifact.platform, engine.platform))
      log.warning(
        `loading a ${formatPlatform(artifact.platform)} image into a ${wanted} ${engine.name}: running it there needs emulation (binfmt/QEMU)`
      )
    return artifact
  }
  const all = artifact.images.map(i => formatPlatform(i.platform)).join(', ')
  const match = artifact.images.find(i =>
    platformMatches(i.platform, engine.platform)
  )
  if (match) {
    log.info(
      `the image has ${artifact.images.length} platforms (${all}); loading ${formatPlatform(match.platform)}, ${engine.name}'s platform`
    )
    return match
  }
  const first = artifact.images[0]
  log.warning(
    `the image has no ${wanted} platform (it has ${all}); loading the first, ${formatPlatform(first.platform)} (running it needs emulation)`
  )
  return first
}

/**
 * Writes `image` as an archive that every engine reads: an OCI image layout (the layout writer,
 * blobs checked against their digests) with the first reference in `index.json`
 * (`io.containerd.image.name`, read by Podman and Docker's containerd store), plus Docker's
 * `manifest.json` naming the same blobs, which is all Docker before 25 reads. `docker save`
 * (25 and later) writes this same shape.
 */
async function writeArchiveTree(
  dir: string,
  image: Image,
  reference: string
): Promise<TarEntry[]> {
  await writeLayout(dir, image, [])
  const tag = reference.slice(reference.lastIndexOf(':') + 1)
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: [
      {
        mediaType: image.manifest.mediaType,
        digest: image.digest,
        size: image.manifestBytes.length,
        annotations: {
          'io.containerd.image.name': reference,
          'org.opencontainers.image.ref.name': tag
        }
      }
    ]
  }
  const blob = (digest: Digest) => `blobs/sha256/${digestHex(digest)}`
  const dockerManifest = [
    {
      Config: blob(image.configBlob.descriptor.digest),
      RepoTags: [reference],
      Layers: image.layers.map(l => blob(l.descriptor.digest))
    }
  ]
  await writeFile(join(dir, 'index.json'), canonicalBytes(index))
  await writeFile(join(dir, 'manifest.json'), canonicalBytes(dockerManifest))
  const file = async (path: string): Promise<TarEntry> => {
    const info = await stat(join(dir, path))
    return {
      type: 'file',
      path,
      mode: 0o644,
      size: info.size,
      source: join(dir, path),
      identity: { dev: info.dev, ino: info.ino }
    }
  }
  const blobs = (await readdir(join(dir, 'blobs', 'sha256'))).sort()
  return [
    await file('oci-layout'),
    await file('index.json'),
    await file('manifest.json'),
    { type: 'dir', path: 'blobs', mode: 0o755 },
    { type: 'dir', path: 'blobs/sha256', mode: 0o755 },
    ...(await Promise.all(blobs.map(name => file(`blobs/sha256/${name}`))))
  ]
}

/**
 * Loads the image into the engine under every reference: the archive (written under `tempDir`,
 * removed afterwards) is streamed into `load`, which names it by the first reference; `tag` adds
 * the others; `image inspect` then checks that each names this image (by the config digest, the
 * image ID of Docker's classic store and Podman, or the manifest digest, Docker's containerd store).
 */
export async function loadIntoEngine(
  engine: Engine,
  artifact: Artifact,
  references: readonly string[],
  options: { tempDir: string; log: Logger; timeouts?: EngineTimeouts }
): Promise<LoadReport> {
  const { log } = options
  const timeouts = { ...defaults, ...options.timeouts }
  if (references.length === 0)
    throw new Error('an image is loaded under its tags, and there are none')
  const image = imageFor(artifact, engine, log)
  const [first, ...others] = references
  const dir = await mkdtemp(join(options.tempDir, 'imprint-load-'))
  try {
    const entries = await writeArchiveTree(dir, image, first)
    const loading = await run(
      engine,
      ['load', '--quiet'],
      timeouts.loadMs,
      tarStream(entries, { mtime: 0, uid: 0, gid: 0 })
    )
    // A failure of our own (a blob that changed on disk) comes first; a pipe the engine closed
    // only means it stopped reading, and then what it said is the story.
    const closedByEngine = ['EPIPE', 'ERR_STREAM_DESTROYED'].includes(
      (loading.inputError as NodeJS.ErrnoException | undefined)?.code ?? ''
    )
    if (loading.inputError && !closedByEngine && !loading.timedOut)
      throw new Error(
        `the archive for ${engine.name} could not be written: ${loading.inputError.message}`
      )
    if (loading.code !== 0 || loading.timedOut)
      throw failure(engine, `${engine.kind} load`, loading, timeouts.loadMs)
    if (loading.inputError)
      throw new Error(
        `${engine.name}: \`${engine.kind} load\` stopped reading the archive (${loading.inputError.message}) and still succeeded`
      )
    log.debug(`${engine.kind} load: ${foreignText(loading.stdout, 300)}`)
    for (const reference of others) {
      const tagged = await run(
        engine,
        ['tag', first, reference],
        timeouts.commandMs
      )
      if (tagged.code !== 0 || tagged.timedOut)
        throw failure(engine, `${engine.kind} tag`, tagged, timeouts.commandMs)
    }
    const inspected = await run(
      engine,
      ['image', 'inspect', '--format', '{{.Id}}', ...references],
      timeouts.commandMs
    )
    if (inspected.code !== 0 || inspected.timedOut)
      throw failure(
        engine,
        `${engine.kind} image inspect`,
        inspected,
        timeouts.commandMs
      )
    const ours = new Set([
      digestHex(image.configBlob.descriptor.digest),
      digestHex(image.digest)
    ])
    const ids = inspected.stdout.trim().split('\n')
    references.forEach((reference, i) => {
      const id = (ids[i] ?? '').trim().replace(/^sha256:/, '')
      if (!ours.has(id))
        throw new Error(
          `${engine.name}: after loading, ${reference} is image ${foreignText(id, 80) || '(none)'}, not ${image.configBlob.descriptor.digest} (config) or ${image.digest} (manifest)`
        )
    })
    const platform = formatPlatform(image.platform)
    log.info(
      `loaded ${image.digest} (${platform}) into ${engine.name} as ${references.join(', ')}`
    )
    return { engine: engine.name, platform, references: [...references] }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
