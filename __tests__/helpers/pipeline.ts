import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseInputs, type InputName } from '../../src/inputs'
import type { PipelineResult } from '../../src/report/result'
import { runPipeline, type PipelineDeps } from '../../src/pipeline/run'
import { silentLogger } from '../../src/util/log'

export const fastRetries = {
  attempts: 5,
  baseDelayMs: 20,
  factor: 2,
  maxDelayMs: 2000,
  jitter: 0.1
}

/** Runs the pipeline in-process with inputs given by name, as the action would read them. */
export function build(
  inputs: Partial<Record<InputName, string>>,
  deps: Partial<PipelineDeps> = {}
): Promise<PipelineResult> {
  // No registry logins of this machine: the runtime directory podman logins go to is a fresh one
  // (without XDG_RUNTIME_DIR, /run/containers/<uid>/auth.json would be read), unless a test sets it.
  const env = {
    XDG_RUNTIME_DIR: mkdtempSync(join(tmpdir(), 'imprint-runtime-')),
    ...(deps.env ?? { HOME: process.env.HOME, PATH: process.env.PATH })
  }
  const parsed = parseInputs(name => inputs[name] ?? '', env)
  return runPipeline(parsed, {
    log: silentLogger,
    workspace: process.cwd(),
    tempDir: tmpdir(),
    retry: fastRetries,
    ...deps,
    env
  })
}
