import { join } from 'node:path'
import { commitAndPush, commitMessage } from '../deploy/commit'
import {
  openManifestRepository,
  type ManifestRepository
} from '../deploy/manifest-repository'
import {
  expandManifests,
  lineDiff,
  planManifests,
  readManifests,
  writeAtomically,
  type ManifestPlan,
  type ManifestText
} from '../deploy/manifests'
import { orderingGuard } from '../deploy/ordering'
import { openPullRequest, pullRequestBranch } from '../deploy/pull-request'
import type { DeployResult } from '../deploy/result'
import { ManifestError, type ImageTarget } from '../deploy/edit/types'
import { InputError } from '../errors'
import type { Git } from '../git/git'
import { GitHubApi } from '../github/api'
import type { Digest } from '../oci/digest'
import type { DeployInputs } from '../inputs'
import type { Logger } from '../util/log'
import { isPullRequest, type BuildContext } from './context'

/** The manifests found, read and checked; what they will say waits for the digest. */
export interface OpenedManifests extends ManifestRepository {
  /** Each listed file as read and checked before the build. */
  manifests: ManifestText[]
  /** `owner/repo`, for the pull request API. */
  repository?: string
}

// Stands in for the digest while checking: every digest has the same form, so no check depends
// on its value (the tag, which can change quoting, is the real one).
const provisionalDigest: Digest = `sha256:${'0'.repeat(64)}`

function manifestsInputError(error: unknown): unknown {
  return error instanceof ManifestError
    ? new InputError('manifests', error.message)
    : error
}

function targetOf(
  inputs: DeployInputs,
  tag: string,
  digest: Digest
): ImageTarget {
  return {
    repository: inputs.image,
    tag,
    digest,
    paths: inputs.manifestPaths
  }
}

/**
 * Finds, reads, parses and edits every manifest in memory before the first layer is built, so
 * that a malformed file, one without the image, a missing branch, an unreachable GitOps
 * repository or a pull-request mode without a token stops the run at once, with nothing pushed.
 */
export async function openManifests(
  inputs: DeployInputs & { pushByDigest: boolean },
  context: BuildContext,
  tag: string,
  git: Git,
  log: Logger
): Promise<OpenedManifests | undefined> {
  if (inputs.manifests.length === 0) return undefined
  if (inputs.pushByDigest) {
    log.warning(
      'push-by-digest: manifests are updated by the job that merges the digests, not here'
    )
    return undefined
  }
  return log.group('Check manifests', () =>
    checkManifests(inputs, context, tag, git, log)
  )
}

async function checkManifests(
  inputs: DeployInputs,
  context: BuildContext,
  tag: string,
  git: Git,
  log: Logger
): Promise<OpenedManifests | undefined> {
  const commits = inputs.manifestCommit !== 'none' && !isPullRequest(context)
  const repository = inputs.manifestRepository ?? context.repository
  if (
    commits &&
    inputs.manifestCommit === 'pull-request' &&
    (!repository || !inputs.manifestToken)
  ) {
    throw new InputError(
      'manifest-commit',
      'pull-request needs the repository (GITHUB_REPOSITORY or manifest-repository) and a token (manifest-token or github-token) to open the pull request'
    )
  }
  let opened: ManifestRepository
  try {
    opened = await openManifestRepository(
      git,
      { ...inputs, commits },
      context,
      log
    )
  } catch (error) {
    // A fork's pull request has no secrets: no preview then, but no failure either.
    if (!inputs.manifestRepository || !isPullRequest(context)) throw error
    log.warning(`manifest preview skipped: ${(error as Error).message}`)
    return undefined
  }
  try {
    const files = await expandManifests(opened.root, inputs.manifests)
    const manifests = await readManifests(opened.root, files)
    const checked = await planManifests(
      manifests,
      targetOf(inputs, tag, provisionalDigest),
      inputs.manifestNoMatch === 'error'
    )
    for (const warning of checked.warnings) log.warning(warning)
    for (const note of checked.notes) log.debug(note)
    log.info(
      `${files.length} manifest file${files.length === 1 ? '' : 's'} checked: ${files.join(', ')}`
    )
    return { ...opened, manifests, repository }
  } catch (error) {
    await opened.cleanup()
    throw manifestsInputError(error)
  }
}

/**
 * Points the manifests at the new image: edits in the workspace (`none`), one commit pushed to
 * the branch (`push`), or a commit on the image's pull request branch with the pull request
 * opened or updated (`pull-request`). Nothing is written for an image that was not pushed, and
 * nothing is committed on pull_request events; the diffs are kept for the report either way.
 */
/** The edits for the new image, planned and shown as diffs as soon as its digest is known. */
export interface PlannedManifests {
  opened: OpenedManifests
  target: ImageTarget
  plan: ManifestPlan
  preview: string[]
}

export async function planManifestEdits(
  opened: OpenedManifests,
  inputs: DeployInputs,
  image: { tag: string; digest: Digest },
  log: Logger
): Promise<PlannedManifests> {
  const target = targetOf(inputs, image.tag, image.digest)
  let plan: ManifestPlan
  try {
    plan = await planManifests(
      opened.manifests,
      target,
      inputs.manifestNoMatch === 'error'
    )
  } catch (error) {
    throw manifestsInputError(error)
  }
  const preview = plan.files.filter(f => f.changes.length).map(lineDiff)
  for (const diff of preview) log.info(diff)
  return { opened, target, plan, preview }
}

/**
 * The manifests stage: points them at the new image, in the workspace (`none`), as one commit
 * pushed to the branch (`push`), or as a commit on the image's pull request branch with the pull
 * request opened or updated (`pull-request`). Nothing is written for an image that was not
 * pushed, and nothing is committed on pull_request events; the diffs stay for the report.
 */
export function updateManifests(
  planned: PlannedManifests,
  inputs: DeployInputs,
  pushed: boolean,
  context: BuildContext,
  git: Git,
  log: Logger
): Promise<DeployResult> {
  return log.group('Update manifests', async () => {
    const outcome = await writeManifests(
      planned,
      inputs,
      pushed,
      context,
      git,
      log
    )
    if (outcome.skipped) log.info(`manifests not updated: ${outcome.skipped}`)
    return outcome
  })
}

async function writeManifests(
  { opened, target, plan, preview }: PlannedManifests,
  inputs: DeployInputs,
  pushed: boolean,
  context: BuildContext,
  git: Git,
  log: Logger
): Promise<DeployResult> {
  const edited = plan.files.filter(f => f.changes.length)
  const planned = plan.files.flatMap(f =>
    f.changes.map(change => ({ path: f.path, change }))
  )
  const mode = inputs.manifestCommit
  const outcome: DeployResult = {
    mode,
    changed: [],
    changes: planned,
    previous: planned[0]?.change.from,
    preview
  }
  if (!pushed)
    return {
      mode,
      changed: [],
      changes: planned,
      preview,
      skipped: 'the image was not pushed, so manifests are not pointed at it'
    }
  if (mode === 'none') {
    for (const file of edited)
      await writeAtomically(join(opened.root, file.file), file.after)
    return { ...outcome, changed: edited.map(f => f.path) }
  }
  if (!opened.branch)
    return {
      ...outcome,
      skipped: 'pull_request events do not commit manifests'
    }

  const branch = opened.branch
  const message = commitMessage(
    inputs.commitMessage,
    target,
    context,
    planned,
    {
      skipCi: mode === 'push'
    }
  )
  const pushTo =
    mode === 'pull-request' ? pullRequestBranch(target, branch) : undefined
  const result = await commitAndPush({
    git,
    root: opened.root,
    tempDir: context.tempDir,
    remote: opened.remote,
    remoteConfig: opened.remoteConfig,
    branch,
    pushTo,
    files: opened.manifests.map(m => m.path),
    target,
    message: message.text,
    allow: orderingGuard(git, context.sha, context.workspace, 'origin', log),
    log
  })
  const committed: DeployResult = {
    ...outcome,
    commit: result.commit,
    changed: result.changed,
    changes: result.changes,
    previous: result.changes[0]?.change.from ?? outcome.previous
  }
  if (!result.commit) return committed
  if (!pushTo) {
    log.info(
      `manifests committed to ${branch}: ${result.commit} (attempt ${result.attempts})`
    )
    return committed
  }
  const runLink = context.runUrl ? `\n\nFrom ${context.runUrl}` : ''
  committed.pullRequest = await openPullRequest(
    new GitHubApi(inputs.manifestToken ?? '', context.apiUrl),
    opened.repository ?? '',
    {
      head: pushTo,
      base: branch,
      title: message.headline,
      body: `${message.body}${runLink}`,
      unchanged: result.unchanged === true
    },
    log
  )
  return committed
}
