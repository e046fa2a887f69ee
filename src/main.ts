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
import type { LayerMapStore } from './pipeline/reuse'
import { formatPlatform } from './oci/platform'
import { GitHubApi, GitHubApiError, upsertComment } from './report/github'
import { commentMarker, renderComment } from './report/pr-comment'
import type { Logger } from './util/log'

const coreLogger: Logger = {
  debug: message => core.debug(message),
  info: message => core.info(message),
  warning: message => core.warning(message),
  group: (name, fn) => core.group(name, fn)
}

/** The only place that reads inputs: secrets are masked before anything else happens. */
export function readInputs(): Inputs {
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

/**
 * Keeps this image's comment on the pull request up to date. A read-only token (forks), a
 * missing pull request or an API error is a warning: the summary still has everything.
 */
async function commentOnPullRequest(
  inputs: Inputs,
  result: PipelineResult
): Promise<void> {
  const pullRequest = result.pullRequest
  if (!pullRequest) return
  const [owner, repo] = (process.env.GITHUB_REPOSITORY ?? '').split('/')
  if (!owner || !repo) {
    core.warning('pull request comment skipped: GITHUB_REPOSITORY is not set')
    return
  }
  if (!inputs.githubToken) {
    core.warning('pull request comment skipped: github-token is empty')
    return
  }
  try {
    const api = new GitHubApi(inputs.githubToken, process.env.GITHUB_API_URL)
    const { action } = await upsertComment(
      api,
      { owner, repo, issue: pullRequest.number },
      commentMarker(result.repository),
      renderComment(result, pullRequest.baseBranch)
    )
    core.info(`pull request #${pullRequest.number}: comment ${action}`)
  } catch (error) {
    const hint =
      error instanceof GitHubApiError && error.status === 403
        ? ' (the token may not write to this pull request: a fork, or missing "pull-requests: write" permission)'
        : ''
    core.warning(
      `pull request comment not written: ${(error as Error).message}${hint}`
    )
  }
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
    // Fan-out legs would overwrite each other's comment; the merge job reports the index.
    if (inputs.comment && !inputs.pushByDigest)
      await commentOnPullRequest(inputs, result)
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
