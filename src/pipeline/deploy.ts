import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { commitAndPush, git, GitError } from '../deploy/git'
import {
  expandManifests,
  lineDiff,
  ManifestInputError,
  planManifests,
  readManifests,
  writeAtomically,
  type ManifestPlan,
  type ManifestText
} from '../deploy/manifests'
import { orderingGuard } from '../deploy/ordering'
import {
  ManifestError,
  type ImageTarget,
  type ManifestChange
} from '../deploy/yaml-edit'
import { InputError } from '../errors'
import type { Digest } from '../oci/digest'
import type { Inputs } from '../inputs'
import { GitHubApi } from '../report/github'
import type { Logger } from '../util/log'
import { isPullRequest, type BuildContext } from './context'

const run = promisify(execFile)

export interface DeployResult {
  mode: Inputs['manifestCommit']
  /** The manifest commit as it is on the remote (push and pull-request modes). */
  commit?: string
  changed: string[]
  changes: { path: string; change: ManifestChange }[]
  previous?: string
  /** Why nothing was written, when nothing was. */
  skipped?: string
  /** The changes as diffs, also when nothing is written (pull request previews). */
  preview: string[]
  /** Pull-request mode: the pull request opened or updated. */
  pullRequest?: {
    url: string
    number: number
    operation: 'created' | 'updated' | 'unchanged'
  }
}

/** The manifests found, read and checked; what they will say waits for the digest. */
export interface OpenedManifests {
  /** The repository the manifests are in: the checkout, or a clone of manifest-repository. */
  root: string
  /** Each listed file as read and checked before the build. */
  manifests: ManifestText[]
  /** The branch commits are based on (push: committed to); unset when nothing is committed. */
  branch?: string
  remote: string
  /** `git` settings for talking to the remote (the token of a manifest-repository). */
  remoteConfig: string[]
  /** `owner/repo`, for the pull request API. */
  repository?: string
  /** The source checkout: image tags are its commits, so the ordering guard asks it. */
  sourceRoot: string
  cleanup(): Promise<void>
}

export interface PreparedDeploy extends OpenedManifests {
  target: ImageTarget
  plan: ManifestPlan
}

// Stands in for the digest while checking: every digest has the same form, so no check depends
// on its value (the tag, which can change quoting, is the real one).
const provisionalDigest: Digest = `sha256:${'0'.repeat(64)}`

const serverUrl = (): string =>
  (process.env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '')

async function repositoryRoot(cwd: string): Promise<string> {
  try {
    return (
      await run('git', ['rev-parse', '--show-toplevel'], { cwd })
    ).stdout.trim()
  } catch {
    return cwd
  }
}

async function currentBranch(
  root: string,
  context?: BuildContext
): Promise<string | undefined> {
  if (context?.branch) return context.branch
  try {
    return (
      (
        await run('git', ['symbolic-ref', '--short', 'HEAD'], { cwd: root })
      ).stdout.trim() || undefined
    )
  } catch {
    return undefined
  }
}

/** Credentials for an https remote the way actions/checkout passes them: a header, scoped to the server. */
function tokenConfig(url: string, token: string | undefined): string[] {
  if (!token || !/^https?:/.test(url)) return []
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64')
  return [
    `http.${new URL(url).origin}/.extraheader=AUTHORIZATION: basic ${basic}`
  ]
}

/** Clones the GitOps repository (one commit deep) into a temporary directory. */
async function cloneManifestRepository(
  inputs: Inputs,
  repository: string
): Promise<{
  root: string
  url: string
  remoteConfig: string[]
  branch: string
  cleanup: () => Promise<void>
}> {
  const url = `${serverUrl()}/${repository}.git`
  const remoteConfig = tokenConfig(url, inputs.manifestToken)
  const dir = await mkdtemp(join(tmpdir(), 'imprint-gitops-'))
  const cleanup = () => rm(dir, { recursive: true, force: true })
  const branchArgs = inputs.manifestBranch
    ? ['--branch', inputs.manifestBranch]
    : []
  try {
    await git(
      tmpdir(),
      ['clone', '--quiet', '--depth=1', '--no-tags', ...branchArgs, url, dir],
      remoteConfig
    )
  } catch (error) {
    await cleanup()
    const stderr = error instanceof GitError ? error.stderr : String(error)
    if (inputs.manifestBranch && /Remote branch .* not found/i.test(stderr)) {
      throw new InputError(
        'manifest-branch',
        `branch "${inputs.manifestBranch}" does not exist in ${repository}`
      )
    }
    throw new InputError(
      'manifest-repository',
      `cannot clone ${repository} (${stderr.trim().split('\n').pop()}); manifest-token (or github-token) must reach it: an App token or PAT, as the job's GITHUB_TOKEN only reaches its own repository`
    )
  }
  const branch = inputs.manifestBranch ?? (await currentBranch(dir))
  if (!branch) {
    await cleanup()
    throw new InputError(
      'manifest-repository',
      `${repository} has no default branch`
    )
  }
  return { root: dir, url, remoteConfig, branch, cleanup }
}

/**
 * Finds, reads, parses and edits every manifest in memory before the first layer is built, so
 * that a malformed file, one without the image, a missing branch, an unreachable GitOps
 * repository or a pull-request mode without a token stops the run at once, with nothing pushed.
 */
export async function openManifests(
  inputs: Inputs,
  context: BuildContext,
  tag: string,
  log: Logger
): Promise<OpenedManifests | undefined> {
  if (inputs.manifests.length === 0) return undefined
  const provisional: ImageTarget = {
    repository: inputs.image,
    tag,
    digest: provisionalDigest,
    paths: inputs.manifestPaths
  }
  const commits = inputs.manifestCommit !== 'none' && !isPullRequest(context)
  const sourceRoot = await repositoryRoot(process.cwd())

  let root = sourceRoot
  let remote = 'origin'
  let remoteConfig: string[] = []
  let branch: string | undefined
  let cleanup = async (): Promise<void> => {}
  if (inputs.manifestRepository) {
    let clone
    try {
      clone = await cloneManifestRepository(inputs, inputs.manifestRepository)
    } catch (error) {
      // A fork's pull request has no secrets: no preview then, but no failure either.
      if (!isPullRequest(context)) throw error
      log.warning(`manifest preview skipped: ${(error as Error).message}`)
      return undefined
    }
    ;({ root, remoteConfig, cleanup } = clone)
    remote = clone.url
    branch = commits ? clone.branch : undefined
  } else if (commits) {
    branch = inputs.manifestBranch ?? (await currentBranch(root, context))
    if (!branch) {
      throw new InputError(
        'manifest-branch',
        'the checkout is on no branch (detached HEAD); name the branch to commit to'
      )
    }
    const name = branch
    await run('git', ['ls-remote', '--exit-code', '--heads', 'origin', name], {
      cwd: root
    }).catch(error => {
      if ((error as { code?: number }).code === 2) {
        throw new InputError(
          'manifest-branch',
          `branch "${name}" does not exist on origin; create it first or name another`
        )
      }
      log.warning(
        `could not check branch ${name} on origin: ${String((error as Error).message).split('\n')[0]}`
      )
    })
  }

  const repository = inputs.manifestRepository ?? context.repository
  try {
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
    const files = await expandManifests(root, inputs.manifests)
    const manifests = await readManifests(root, files)
    const checked = planManifests(
      manifests,
      provisional,
      inputs.manifestNoMatch === 'error'
    )
    for (const warning of checked.warnings) log.warning(warning)
    log.info(
      `${files.length} manifest file${files.length === 1 ? '' : 's'} checked: ${files.join(', ')}`
    )
    return {
      root,
      manifests,
      branch,
      remote,
      remoteConfig,
      repository,
      sourceRoot,
      cleanup
    }
  } catch (error) {
    await cleanup()
    if (error instanceof ManifestInputError || error instanceof ManifestError) {
      throw new InputError('manifests', error.message)
    }
    throw error
  }
}

/** The edits for the new image, shown as diffs: the files were checked by `openManifests`. */
export function planDeploy(
  opened: OpenedManifests,
  inputs: Inputs,
  tag: string,
  digest: Digest,
  log: Logger
): PreparedDeploy {
  const target: ImageTarget = {
    repository: inputs.image,
    tag,
    digest,
    paths: inputs.manifestPaths
  }
  let plan: ManifestPlan
  try {
    plan = planManifests(
      opened.manifests,
      target,
      inputs.manifestNoMatch === 'error'
    )
  } catch (error) {
    if (error instanceof ManifestInputError || error instanceof ManifestError) {
      throw new InputError('manifests', error.message)
    }
    throw error
  }
  for (const file of plan.files.filter(f => f.changes.length))
    log.info(lineDiff(file))
  return { ...opened, target, plan }
}

export function renderCommitMessage(
  template: string,
  target: ImageTarget,
  context: BuildContext
): string {
  const values: Record<string, string> = {
    image: target.repository.toString(),
    digest: target.digest,
    tag: target.tag,
    sha: context.sha ?? '',
    short_sha: context.sha?.slice(0, 7) ?? ''
  }
  return template.replace(
    /\{\{\s*([a-z_]+)\s*\}\}/g,
    (whole, key: string) => values[key] ?? whole
  )
}

/**
 * The pull request branch of an image into one base branch: `imprint/<base>/<image>-<hash>`; the
 * hash of the exact repository keeps apart names that sanitise alike.
 */
export function pullRequestBranch(target: ImageTarget, base: string): string {
  const repository = target.repository.toString()
  const readable = repository.replace(/[^A-Za-z0-9_-]+/g, '-')
  const hash = createHash('sha256').update(repository).digest('hex').slice(0, 8)
  return `imprint/${base}/${readable}-${hash}`
}

/**
 * Writes the prepared edits: into the workspace (`none`), as one commit pushed to the branch
 * (`push`), or as a commit on the image's pull request branch with the pull request opened or
 * updated (`pull-request`).
 */
export async function deploy(
  prepared: PreparedDeploy,
  inputs: Inputs,
  context: BuildContext,
  log: Logger
): Promise<DeployResult> {
  const mode = inputs.manifestCommit
  const planned = prepared.plan.files.flatMap(f =>
    f.changes.map(change => ({ path: f.path, change }))
  )
  const previous = planned[0]?.change.from
  const preview = previewOf(prepared)
  if (mode === 'none') {
    const changed: string[] = []
    for (const file of prepared.plan.files) {
      if (file.changes.length === 0) continue
      await writeAtomically(join(prepared.root, file.path), file.after)
      changed.push(file.path)
    }
    return { mode, changed, changes: planned, previous, preview }
  }
  if (!prepared.branch) {
    return {
      mode,
      changed: [],
      changes: planned,
      previous,
      preview,
      skipped: 'pull_request events do not commit manifests'
    }
  }
  const branch = prepared.branch
  const headline = renderCommitMessage(
    inputs.commitMessage,
    prepared.target,
    context
  )
  const body = planned
    .map(p => `${p.path}: ${p.change.from} → ${p.change.to}`)
    .join('\n')
  // [skip ci] only for direct pushes: on a pull request it would leave required checks pending.
  const message =
    mode === 'push'
      ? `${headline}\n\n${body}\n\n[skip ci]`
      : `${headline}\n\n${body}`
  const pushTo =
    mode === 'pull-request'
      ? pullRequestBranch(prepared.target, branch)
      : undefined
  const result = await commitAndPush({
    root: prepared.root,
    remote: prepared.remote,
    remoteConfig: prepared.remoteConfig,
    branch,
    pushTo,
    files: prepared.manifests.map(m => m.path),
    target: prepared.target,
    message,
    allow: orderingGuard(context.sha, prepared.sourceRoot, 'origin', log),
    log
  })
  const outcome: DeployResult = {
    mode,
    commit: result.commit,
    changed: result.changed,
    changes: result.changes,
    previous: result.changes[0]?.change.from ?? previous,
    preview
  }
  if (result.commit && !pushTo)
    log.info(
      `manifests committed to ${branch}: ${result.commit} (attempt ${result.attempts})`
    )
  if (result.commit && pushTo) {
    outcome.pullRequest = await openPullRequest(
      prepared,
      inputs,
      pushTo,
      branch,
      headline,
      body,
      result.unchanged === true,
      log
    )
  }
  return outcome
}

async function openPullRequest(
  prepared: PreparedDeploy,
  inputs: Inputs,
  head: string,
  base: string,
  title: string,
  body: string,
  unchanged: boolean,
  log: Logger
): Promise<DeployResult['pullRequest']> {
  const [owner, repo] = (prepared.repository ?? '').split('/')
  const api = new GitHubApi(
    inputs.manifestToken ?? '',
    process.env.GITHUB_API_URL
  )
  const runUrl = process.env.GITHUB_RUN_ID
    ? `\n\nFrom ${serverUrl()}/${process.env.GITHUB_REPOSITORY}/actions/runs/${process.env.GITHUB_RUN_ID}`
    : ''
  const text = { title, body: `${body}${runUrl}` }
  const existing = await api.findOpenPull(owner, repo, `${owner}:${head}`, base)
  if (existing) {
    if (!unchanged) await api.updatePull(owner, repo, existing.number, text)
    log.info(
      `pull request ${existing.html_url} ${unchanged ? 'already up to date' : 'updated'}`
    )
    return {
      url: existing.html_url,
      number: existing.number,
      operation: unchanged ? 'unchanged' : 'updated'
    }
  }
  const created = await api.createPull(owner, repo, { ...text, head, base })
  log.info(`pull request ${created.html_url} opened`)
  return { url: created.html_url, number: created.number, operation: 'created' }
}

/** The prepared edits as diffs (what a merge would change), for logs and pull request comments. */
export function previewOf(prepared: PreparedDeploy): string[] {
  return prepared.plan.files.filter(f => f.changes.length).map(lineDiff)
}
