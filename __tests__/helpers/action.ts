import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export interface ActionRun {
  status: number | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
}

interface RunOptions {
  cwd: string
  env?: Record<string, string>
}

/** Parses the `GITHUB_OUTPUT` file format (`name<<DELIMITER … DELIMITER`). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^<=]+)<<(.+)$/.exec(lines[i])
    if (heredoc) {
      const value: string[] = []
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++)
        value.push(lines[i])
      outputs[heredoc[1]] = value.join('\n')
    } else if (lines[i].includes('=')) {
      const eq = lines[i].indexOf('=')
      outputs[lines[i].slice(0, eq)] = lines[i].slice(eq + 1)
    }
  }
  return outputs
}

/** The environment a runner gives a step: inputs as `INPUT_*`, and fresh output and summary files. */
function runnerEnvironment(
  inputs: Record<string, string>,
  options: RunOptions
) {
  const dir = mkdtempSync(join(tmpdir(), 'imprint-runner-'))
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  const env: Record<string, string> = {}
  // Registry logins of this machine stay out (a test passes the ones it means in options.env).
  const logins = ['DOCKER_CONFIG', 'REGISTRY_AUTH_FILE', 'XDG_CONFIG_HOME']
  for (const [key, value] of Object.entries(process.env)) {
    if (
      value !== undefined &&
      !key.startsWith('INPUT_') &&
      !key.startsWith('GITHUB_') &&
      !logins.includes(key)
    )
      env[key] = value
  }
  for (const [name, value] of Object.entries(inputs)) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  Object.assign(env, {
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: options.cwd,
    RUNNER_TEMP: dir,
    HOME: dir,
    // As on a runner; without it podman's auth.json would be /run/containers/<uid>/auth.json.
    XDG_RUNTIME_DIR: dir,
    ...options.env
  })
  const finish = (
    status: number | null,
    stdout: string,
    stderr: string
  ): ActionRun => ({
    status,
    stdout,
    stderr,
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8')
  })
  return { env, finish }
}

/** Runs the committed bundle `dist/index.js` the way a runner does: inputs as `INPUT_*` variables. */
export function runAction(
  inputs: Record<string, string>,
  options: RunOptions
): ActionRun {
  const { env, finish } = runnerEnvironment(inputs, options)
  const result = spawnSync(process.execPath, [resolve('dist/index.js')], {
    cwd: options.cwd,
    env,
    encoding: 'utf8',
    timeout: 120000
  })
  return finish(result.status, result.stdout, result.stderr)
}

/** Like `runAction`, but without blocking: several runs can race each other. */
export function runActionAsync(
  inputs: Record<string, string>,
  options: RunOptions
): Promise<ActionRun> {
  const { env, finish } = runnerEnvironment(inputs, options)
  return new Promise(done => {
    const child = spawn(process.execPath, [resolve('dist/index.js')], {
      cwd: options.cwd,
      env
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', d => (stdout += String(d)))
    child.stderr.on('data', d => (stderr += String(d)))
    child.on('close', status => done(finish(status, stdout, stderr)))
  })
}

export interface WatchedRun extends ActionRun {
  /** Wall-clock time from start to exit (or to the kill). */
  elapsedMs: number
  /** The child's peak resident set size (VmHWM from /proc), in bytes. */
  peakRssBytes: number
  /** Why the child was killed, if it was: it ran past the deadline or grew past the memory limit. */
  killed?: 'deadline' | 'memory'
}

/** Reads `VmHWM` (peak RSS) of a running process from /proc, in bytes; 0 once it has exited. */
async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  const kib = /^VmHWM:\s+(\d+) kB/m.exec(status)
  return kib ? Number(kib[1]) * 1024 : 0
}

/**
 * Like `runActionAsync`, and also measures the child: elapsed time and peak RSS (polled from
 * /proc). A child that runs past `deadlineMs` or grows past `memoryLimitBytes` is killed, so a
 * hanging or ballooning run fails its test instead of the machine.
 */
export function runActionWatched(
  inputs: Record<string, string>,
  options: RunOptions & { deadlineMs: number; memoryLimitBytes?: number }
): Promise<WatchedRun> {
  const { env, finish } = runnerEnvironment(inputs, options)
  const limit = options.memoryLimitBytes ?? 1024 * 1024 * 1024
  const started = Date.now()
  return new Promise(done => {
    const child = spawn(process.execPath, [resolve('dist/index.js')], {
      cwd: options.cwd,
      env
    })
    let stdout = ''
    let stderr = ''
    let peak = 0
    let killed: WatchedRun['killed']
    child.stdout.on('data', d => (stdout += String(d)))
    child.stderr.on('data', d => (stderr += String(d)))
    const kill = (why: NonNullable<WatchedRun['killed']>): void => {
      if (killed || child.exitCode !== null) return
      killed = why
      child.kill('SIGKILL')
    }
    const deadline = setTimeout(() => kill('deadline'), options.deadlineMs)
    const poll = setInterval(() => {
      void peakRss(child.pid ?? 0).then(bytes => {
        peak = Math.max(peak, bytes)
        if (bytes > limit) kill('memory')
      })
    }, 20)
    child.on('close', status => {
      clearTimeout(deadline)
      clearInterval(poll)
      done({
        ...finish(status, stdout, stderr),
        elapsedMs: Date.now() - started,
        peakRssBytes: peak,
        killed
      })
    })
  })
}

/** The `::error::` lines of a run's log: a failure must be exactly one, naming the fix. */
export function errorLines(run: ActionRun): string[] {
  return run.stdout.split('\n').filter(line => line.startsWith('::error'))
}
