import * as core from '@actions/core'
import { failureMessages } from './front-end'
import { parseInputs, type Inputs } from './inputs'
import {
  outputsOf,
  renderFailureSummary,
  renderSummary
} from './pipeline/report'
import type { PipelineResult } from './pipeline/result'
import { runPipeline } from './pipeline/run'
import type { Logger } from './util/log'

const coreLogger: Logger = {
  debug: message => core.debug(message),
  info: message => core.info(message),
  warning: message => core.warning(message),
  group: (name, fn) => core.group(name, fn)
}

/** The only place that reads inputs: secrets are masked before anything else happens. */
export function readInputs(): Inputs {
  for (const secret of ['password', 'github-token', 'signing-key-password']) {
    const value = core.getInput(secret)
    if (value) core.setSecret(value)
  }
  // A PEM key is several lines; each is masked so no line of it can appear in the log.
  for (const line of core.getInput('signing-key').split(/\r?\n/)) {
    if (line.trim().length >= 8) core.setSecret(line.trim())
  }
  // Passwords are taken as given: a leading or trailing space can be part of one.
  const untrimmed = new Set(['password', 'signing-key-password'])
  return parseInputs(name =>
    core.getInput(name, { trimWhitespace: !untrimmed.has(name) })
  )
}

function setOutputs(result: PipelineResult): void {
  for (const [name, value] of Object.entries(outputsOf(result)))
    core.setOutput(name, value)
}

function fail(error: unknown): void {
  for (const message of failureMessages(error)) core.error(message)
  if (error instanceof Error && error.stack) core.debug(error.stack)
  process.exitCode = 1
}

/** The action: read inputs, run the pipeline, set outputs and write the job summary. */
export async function run(): Promise<void> {
  let inputs: Inputs
  try {
    inputs = readInputs()
  } catch (error) {
    fail(error)
    return
  }
  let assembled: PipelineResult | undefined
  let summary: string
  try {
    const result = await runPipeline(inputs, {
      log: coreLogger,
      env: process.env,
      onPublished: partial => setOutputs(partial),
      onAssembled: partial => {
        // Only what describes the built image: `image` and `tags` wait until they exist.
        assembled = partial
        core.setOutput('digest', partial.digest)
        core.setOutput('config-digest', partial.configDigest ?? '')
      }
    })
    setOutputs(result)
    core.info(`${result.image}`)
    summary = renderSummary(result)
  } catch (error) {
    fail(error)
    summary = renderFailureSummary(failureMessages(error), assembled)
  }
  await core.summary
    .addRaw(summary)
    .write()
    .catch(error =>
      core.warning(`job summary not written: ${(error as Error).message}`)
    )
}
