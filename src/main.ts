import * as core from '@actions/core'
import { tmpdir } from 'node:os'
import type { LayerMapStore } from './cache/layer-map'
import { failureMessages } from './front-end'
import { parseInputs, type Inputs } from './inputs'
import { formatPlatform } from './oci/platform'
import { runPipeline } from './pipeline/run'
import type { PipelineResult } from './report/result'
import {
  outputsOf,
  renderFailureSummary,
  renderSummary
} from './report/summary'
import type { Logger } from './util/log'

/** No line of a message may start a workflow command: `::` at a line start is pushed aside. */
const inert = (message: string): string => message.replace(/^::/gm, ' ::')

const coreLogger: Logger = {
  debug: message => core.debug(message),
  info: message => core.info(inert(message)),
  warning: message => core.warning(message),
  notice: message => core.notice(message),
  group: (name, fn) => core.group(name, fn),
  secret: value => core.setSecret(value)
}

/** The only place that reads inputs: secrets are masked before anything else happens. */
function readInputs(): Inputs {
  for (const secret of [
    'password',
    'github-token',
    'manifest-token',
    'signing-key-password'
  ]) {
    const value = core.getInput(secret)
    if (value) {
      core.setSecret(value)
      // The form git sends as a header, in case a git error ever echoes it.
      core.setSecret(Buffer.from(`x-access-token:${value}`).toString('base64'))
    }
  }
  // A PEM key is several lines; each is masked so no line of it can appear in the log.
  for (const line of core.getInput('signing-key').split(/\r?\n/)) {
    if (line.trim().length >= 8) core.setSecret(line.trim())
  }
  // Passwords are taken as given: a leading or trailing space can be part of one.
  const untrimmed = new Set(['password', 'signing-key-password'])
  return parseInputs(
    name => core.getInput(name, { trimWhitespace: !untrimmed.has(name) }),
    process.env
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

async function layerMapStoreFor(
  inputs: Inputs
): Promise<LayerMapStore | undefined> {
  if (!inputs.actionsCache || !inputs.push) return undefined
  // The cache client is large: it is loaded only in jobs that have the service.
  if (!process.env.ACTIONS_RESULTS_URL && !process.env.ACTIONS_CACHE_URL) {
    core.debug(
      'no Actions cache in this job: layer map only from earlier images'
    )
    return undefined
  }
  const { ActionsCacheLayerStore } = await import('./cache/actions-cache')
  if (!ActionsCacheLayerStore.available()) return undefined
  return new ActionsCacheLayerStore({
    scope:
      inputs.platforms === 'all'
        ? 'all'
        : inputs.platforms.map(formatPlatform).join('+'),
    sha: process.env.GITHUB_SHA ?? '',
    env: process.env
  })
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
      execArgv: process.execArgv,
      workspace: process.cwd(),
      tempDir: process.env.RUNNER_TEMP || tmpdir(),
      layerMapStore: await layerMapStoreFor(inputs),
      onPublished: partial => setOutputs(partial),
      onAssembled: partial => {
        // Only what describes the built image: `image` and `tags` wait until they exist.
        assembled = partial
        core.setOutput('digest', partial.digest)
        core.setOutput('config-digest', partial.configDigest ?? '')
      }
    })
    setOutputs(result)
    core.notice(
      `${result.pushed ? result.image : `${result.repository} (not pushed) ${result.digest}`}`,
      {
        title: `Imprint: ${result.repository}`
      }
    )
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
