import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
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
  for (const [key, value] of Object.entries(process.env)) {
    if (
      value !== undefined &&
      !key.startsWith('INPUT_') &&
      !key.startsWith('GITHUB_')
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
