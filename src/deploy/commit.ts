import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Git, isRejectedPush } from '../git/git'
import type { Logger } from '../util/log'
import { withRetries, type RetryPolicy } from '../util/retry'
import { fileInside, writeAtomically } from './manifests'
import type { ImageTarget, ManifestChange } from './edit'

/** How often a push rejected because the branch moved is tried again on the new head. */
const movedBranchPolicy: RetryPolicy = {
  attempts: 8,
  baseDelayMs: 400,
  factor: 2,
  maxDelayMs: 5000,
  jitter: 0.5
}

export interface PushOptions {
  git: Git
  root: string
  /** Where the temporary worktree goes. */
  tempDir: string
  remote: string
  branch: string
  files: string[]
  target: ImageTarget
  message: string
  /** Decides per change whether it may be written (the ordering guard); false skips it. */
  allow?: (change: ManifestChange, worktree: string) => Promise<boolean>
  /**
   * Pull-request mode: the commit is made on `branch` and force-pushed to this branch instead
   * (a branch per image, rewritten on every run).
   */
  pushTo?: string
  /** Extra git settings for commands that talk to the remote (credentials). */
  remoteConfig?: string[]
  retry?: RetryPolicy
  log: Logger
}

export interface PushResult {
  /** The commit as it is on the remote; undefined when there was nothing to change. */
  commit?: string
  /** Pull-request mode: the branch already had this exact change; nothing was pushed. */
  unchanged?: boolean
  changed: string[]
  changes: { path: string; change: ManifestChange }[]
  attempts: number
}

/**
 * Commits the manifest edits onto `branch` and pushes, in a temporary worktree so the user's
 * checkout is untouched. When the push is rejected because the branch moved, the new head is
 * fetched and the edits are applied again to its content (never a stale diff), a few times with
 * jitter: a concurrent merge is never lost.
 */
export async function commitAndPush(options: PushOptions): Promise<PushResult> {
  const { git, root, remote, branch, log } = options
  const config = options.remoteConfig ?? []
  const identity: string[] = []
  if (!(await git.tryRun(root, ['config', 'user.name']))) {
    identity.push(
      'user.name=github-actions[bot]',
      'user.email=41898282+github-actions[bot]@users.noreply.github.com'
    )
  }
  // A full clone stays full: --depth would make it shallow and cut the history later steps read.
  const depth = (await git.isShallow(root)) ? ['--depth=1'] : []
  const worktree = await mkdtemp(join(options.tempDir, 'imprint-manifests-'))
  let added = false
  try {
    return await withRetries(
      async attempt => {
        await git.run(
          root,
          ['fetch', '--no-tags', ...depth, remote, `refs/heads/${branch}`],
          { config }
        )
        const head = await git.run(root, ['rev-parse', 'FETCH_HEAD'])
        if (!added) {
          await git.run(root, ['worktree', 'add', '--detach', worktree, head])
          added = true
        } else {
          await git.run(worktree, ['reset', '--hard', head])
        }
        const { changed, applied } = await applyEdits(options, worktree)
        if (changed.length === 0) {
          log.info(
            `manifests on ${branch} already point at the image; nothing to commit`
          )
          return { changed, changes: applied, attempts: attempt + 1 }
        }
        await git.run(worktree, ['add', '--', ...changed])
        await git.run(worktree, ['commit', '--quiet', '-m', options.message], {
          config: identity
        })
        const target = options.pushTo ?? branch
        if (options.pushTo) {
          const existing = await pullRequestBranchState(
            options,
            worktree,
            target,
            changed,
            depth
          )
          if (existing === 'newer')
            return { changed: [], changes: [], attempts: attempt + 1 }
          if (existing) {
            return {
              commit: existing,
              changed,
              changes: applied,
              attempts: attempt + 1,
              unchanged: true
            }
          }
        }
        await git.run(
          worktree,
          [
            'push',
            '--quiet',
            ...(options.pushTo ? ['--force'] : []),
            remote,
            `HEAD:refs/heads/${target}`
          ],
          { config }
        )
        const commit = await git.run(worktree, ['rev-parse', 'HEAD'])
        return { commit, changed, changes: applied, attempts: attempt + 1 }
      },
      options.retry ?? movedBranchPolicy,
      isRejectedPush,
      (_error, ms, attempt) =>
        log.info(
          `${branch} moved while committing (attempt ${attempt}); re-applying on the new head in ${ms} ms`
        )
    )
  } finally {
    if (added)
      await git
        .run(root, ['worktree', 'remove', '--force', worktree])
        .catch(() => undefined)
    await rm(worktree, { recursive: true, force: true })
  }
}

/** Edits every listed file in the worktree, as the ordering guard allows. */
async function applyEdits(
  options: PushOptions,
  worktree: string
): Promise<{ changed: string[]; applied: PushResult['changes'] }> {
  // The editor (and the YAML library) is loaded where manifests are edited, not at start-up.
  const { editManifest } = await import('./edit')
  const changed: string[] = []
  const applied: PushResult['changes'] = []
  const seen = new Set<string>()
  for (const file of options.files) {
    // The branch's head may hold other links than the checkout: resolved again, inside the worktree.
    const real = await fileInside(worktree, file).catch((error: Error) => {
      if (/does not exist/.test(error.message)) return undefined
      throw new Error(`${options.branch}: ${error.message}`)
    })
    if (real === undefined) {
      options.log.warning(
        `${file} no longer exists on ${options.branch}; skipped`
      )
      continue
    }
    if (seen.has(real)) continue
    seen.add(real)
    const path = join(worktree, real)
    const before = await readFile(path, 'utf8')
    const edit = editManifest(file, before, options.target)
    const allowed: ManifestChange[] = []
    for (const change of edit.changes) {
      if (!options.allow || (await options.allow(change, worktree)))
        allowed.push(change)
    }
    if (allowed.length === 0) continue
    if (allowed.length !== edit.changes.length) {
      options.log.warning(
        `${file}: some references were skipped by the ordering guard; the file is left as it is`
      )
      continue
    }
    await writeAtomically(path, edit.text)
    changed.push(real)
    applied.push(...allowed.map(change => ({ path: file, change })))
  }
  return { changed, applied }
}

/**
 * The pull request branch, fetched once: it may hold a newer build's image (never force an older
 * one over it: `newer`) or exactly this change already (leave it, and the PR, as they are: its
 * commit). Undefined when our commit should be pushed.
 */
async function pullRequestBranchState(
  options: PushOptions,
  worktree: string,
  target: string,
  changed: string[],
  depth: string[]
): Promise<string | 'newer' | undefined> {
  const { git, root, remote, log } = options
  const config = options.remoteConfig ?? []
  const existing = (
    await git.run(root, ['ls-remote', remote, `refs/heads/${target}`], {
      config
    })
  ).split(/\s/)[0]
  if (!existing) return undefined
  await git.run(
    root,
    ['fetch', '--no-tags', ...depth, remote, `refs/heads/${target}`],
    { config }
  )
  const allow = options.allow
  const { editManifest } = await import('./edit')
  for (const file of allow ? changed : []) {
    const theirs = await git.tryRun(root, ['show', `FETCH_HEAD:${file}`])
    if (theirs === undefined) continue
    for (const change of editManifest(file, theirs, options.target).changes) {
      if (allow && !(await allow(change, worktree))) {
        log.warning(
          `${target} already holds a newer image in ${file}; not replacing it`
        )
        return 'newer'
      }
    }
  }
  const [theirs, ours] = await Promise.all([
    git.run(root, ['rev-parse', 'FETCH_HEAD^{tree}']),
    git.run(worktree, ['rev-parse', 'HEAD^{tree}'])
  ])
  return theirs === ours ? existing : undefined
}

/**
 * The manifest commit's message: the `commit-message` template as headline, one line per change
 * as body, and `[skip ci]` for direct pushes (on a pull request it would leave checks pending).
 */
export function commitMessage(
  template: string,
  target: ImageTarget,
  commit: { sha?: string },
  changes: { path: string; change: ManifestChange }[],
  options: { skipCi: boolean }
): { headline: string; body: string; text: string } {
  const values: Record<string, string> = {
    image: target.repository.toString(),
    digest: target.digest,
    tag: target.tag,
    sha: commit.sha ?? '',
    short_sha: commit.sha?.slice(0, 7) ?? ''
  }
  const headline = template.replace(
    /\{\{\s*([a-z_]+)\s*\}\}/g,
    (whole, key: string) => values[key] ?? whole
  )
  const body = changes
    .map(p => `${p.path}: ${p.change.from} → ${p.change.to}`)
    .join('\n')
  return {
    headline,
    body,
    text: `${headline}\n\n${body}${options.skipCi ? '\n\n[skip ci]' : ''}`
  }
}
