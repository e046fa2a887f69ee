import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { commitAndPush } from '../deploy/git'
import {
  expandManifests,
  lineDiff,
  ManifestInputError,
  planManifests,
  writeAtomically,
  type ManifestPlan
} from '../deploy/manifests'
import { orderingGuard } from '../deploy/ordering'
import type { ImageTarget, ManifestChange } from '../deploy/yaml-edit'
import { ManifestError } from '../deploy/yaml-edit'
import { InputError } from '../errors'
import type { Digest } from '../oci/digest'
import type { Inputs } from '../inputs'
import type { Logger } from '../util/log'
import type { BuildContext } from './context'

const run = promisify(execFile)

export interface DeployResult {
  mode: Inputs['manifestCommit']
  /** The manifest commit as it is on the remote (push mode). */
  commit?: string
  changed: string[]
  changes: { path: string; change: ManifestChange }[]
  previous?: string
  /** Why nothing was written, when nothing was. */
  skipped?: string
  /** The changes as diffs, also when nothing is written (pull request previews). */
  preview: string[]
}

export interface PreparedDeploy {
  root: string
  files: string[]
  target: ImageTarget
  plan: ManifestPlan
  /** The branch push mode commits to, checked to exist on origin; unset when nothing is committed. */
  branch?: string
}

async function repositoryRoot(cwd: string): Promise<string> {
  try {
    return (
      await run('git', ['rev-parse', '--show-toplevel'], { cwd })
    ).stdout.trim()
  } catch {
    return cwd
  }
}

/**
 * Reads, parses and edits every manifest in memory as soon as the digest is known — before
 * anything is pushed — so that a malformed file or one without the image stops the run early.
 */
export async function prepareDeploy(
  inputs: Inputs,
  context: BuildContext,
  tag: string,
  digest: Digest,
  log: Logger
): Promise<PreparedDeploy | undefined> {
  if (inputs.manifests.length === 0) return undefined
  const root = await repositoryRoot(process.cwd())
  const target: ImageTarget = { repository: inputs.image, tag, digest }
  let plan: ManifestPlan
  let files: string[]
  try {
    files = await expandManifests(root, inputs.manifests)
    plan = await planManifests(
      root,
      files,
      target,
      inputs.manifestNoMatch === 'error'
    )
  } catch (error) {
    if (error instanceof ManifestInputError || error instanceof ManifestError) {
      throw new InputError('manifests', error.message)
    }
    throw error
  }
  for (const warning of plan.warnings) log.warning(warning)
  for (const file of plan.files.filter(f => f.changes.length))
    log.info(lineDiff(file))
  let branch: string | undefined
  if (inputs.manifestCommit === 'push' && !isPullRequest(context)) {
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
  return { root, files, target, plan, branch }
}

function isPullRequest(context: BuildContext): boolean {
  return (
    context.eventName === 'pull_request' ||
    context.eventName === 'pull_request_target'
  )
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

async function currentBranch(
  root: string,
  context: BuildContext
): Promise<string | undefined> {
  if (context.branch) return context.branch
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

/** Writes the prepared edits: into the workspace (`none`) or as one commit pushed to the branch (`push`). */
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
  const message = `${headline}\n\n${body}\n\n[skip ci]`
  const result = await commitAndPush({
    root: prepared.root,
    remote: 'origin',
    branch,
    files: prepared.files,
    target: prepared.target,
    message,
    allow: orderingGuard(context.sha, 'origin', log),
    log
  })
  if (result.commit)
    log.info(
      `manifests committed to ${branch}: ${result.commit} (attempt ${result.attempts})`
    )
  return {
    mode,
    commit: result.commit,
    changed: result.changed,
    changes: result.changes,
    previous: result.changes[0]?.change.from ?? previous,
    preview
  }
}

/** The prepared edits as diffs (what a merge would change), for logs and pull request comments. */
export function previewOf(prepared: PreparedDeploy): string[] {
  return prepared.plan.files.filter(f => f.changes.length).map(lineDiff)
}
