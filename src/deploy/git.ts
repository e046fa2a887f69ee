import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Logger } from '../util/log'
import { writeAtomically } from './manifests'
import {
  editManifest,
  type ImageTarget,
  type ManifestChange
} from './yaml-edit'

const execFileAsync = promisify(execFile)

export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly stderr: string
  ) {
    super(
      `git ${args.join(' ')} failed: ${stderr.trim().split('\n').slice(-3).join(' ')}`
    )
    this.name = 'GitError'
  }
}

/** Runs git; identity comes from `identity` when the repository has none configured. */
export async function git(
  cwd: string,
  args: string[],
  extraConfig: string[] = []
): Promise<string> {
  // Settings (credentials among them) go through the environment, not argv, where any process
  // on the machine could read them.
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0' }
  if (extraConfig.length) {
    env.GIT_CONFIG_COUNT = String(extraConfig.length)
    extraConfig.forEach((entry, i) => {
      const eq = entry.indexOf('=')
      env[`GIT_CONFIG_KEY_${i}`] = entry.slice(0, eq)
      env[`GIT_CONFIG_VALUE_${i}`] = entry.slice(eq + 1)
    })
  }
  try {
    const { stdout } = await execFileAsync('git', args, {
      cwd,
      maxBuffer: 64 * 1024 * 1024,
      env
    })
    return stdout.trim()
  } catch (error) {
    throw new GitError(
      args,
      (error as { stderr?: string }).stderr ?? String(error)
    )
  }
}

/** What `git push` says when someone else pushed first: fetch, re-apply and try again. */
export function isRejectedPush(error: unknown): boolean {
  return (
    error instanceof GitError &&
    /non-fast-forward|fetch first|\[rejected\]|stale info|incorrect old value|failed to update ref|cannot lock ref/i.test(
      error.stderr
    )
  )
}

export interface PushOptions {
  root: string
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
  /** Extra `git -c` settings for commands that talk to the remote (credentials). */
  remoteConfig?: string[]
  attempts?: number
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

const sleep = (ms: number): Promise<void> =>
  new Promise(resolve => setTimeout(resolve, ms))

/**
 * Commits the manifest edits onto `branch` and pushes, in a temporary worktree so the user's
 * checkout is untouched. When the push is rejected because the branch moved, the new head is
 * fetched and the edits are applied again to its content (never a stale diff), a few times with
 * jitter: a concurrent merge is never lost.
 */
export async function commitAndPush(options: PushOptions): Promise<PushResult> {
  const { root, remote, branch, log } = options
  const remoteConfig = options.remoteConfig ?? []
  const attempts = options.attempts ?? 8
  const identity: string[] = []
  if (!(await git(root, ['config', 'user.name']).catch(() => ''))) {
    identity.push(
      'user.name=github-actions[bot]',
      'user.email=41898282+github-actions[bot]@users.noreply.github.com'
    )
  }
  // A full clone stays full: --depth would make it shallow and cut the history later steps read.
  const shallow =
    (await git(root, ['rev-parse', '--is-shallow-repository'])) === 'true'
  const depth = shallow ? ['--depth=1'] : []
  const worktree = await mkdtemp(join(tmpdir(), 'imprint-manifests-'))
  let added = false
  try {
    for (let attempt = 1; ; attempt++) {
      await git(
        root,
        ['fetch', '--no-tags', ...depth, remote, `refs/heads/${branch}`],
        remoteConfig
      )
      const head = await git(root, ['rev-parse', 'FETCH_HEAD'])
      if (!added) {
        await git(root, ['worktree', 'add', '--detach', worktree, head])
        added = true
      } else {
        await git(worktree, ['reset', '--hard', head])
      }

      const changed: string[] = []
      const applied: PushResult['changes'] = []
      for (const file of options.files) {
        const path = join(worktree, file)
        const before = await readFile(path, 'utf8').catch(() => undefined)
        if (before === undefined) {
          log.warning(`${file} no longer exists on ${branch}; skipped`)
          continue
        }
        const edit = editManifest(file, before, options.target)
        const allowed: ManifestChange[] = []
        for (const change of edit.changes) {
          if (!options.allow || (await options.allow(change, worktree)))
            allowed.push(change)
        }
        if (allowed.length === 0) continue
        if (allowed.length !== edit.changes.length) {
          log.warning(
            `${file}: some references were skipped by the ordering guard; the file is left as it is`
          )
          continue
        }
        await writeAtomically(path, edit.text)
        changed.push(file)
        applied.push(...allowed.map(change => ({ path: file, change })))
      }
      if (changed.length === 0) {
        log.info(
          `manifests on ${branch} already point at the image; nothing to commit`
        )
        return { changed, changes: applied, attempts: attempt }
      }
      await git(worktree, ['add', '--', ...changed])
      await git(
        worktree,
        ['commit', '--quiet', '-m', options.message],
        identity
      )
      const target = options.pushTo ?? branch
      if (options.pushTo) {
        // The pull request branch, fetched once: it may hold a newer build's image (never force an
        // older one over it) or exactly this change already (leave it, and the PR, as they are).
        const existing = (
          await git(
            root,
            ['ls-remote', remote, `refs/heads/${target}`],
            remoteConfig
          )
        ).split(/\s/)[0]
        if (existing) {
          await git(
            root,
            ['fetch', '--no-tags', ...depth, remote, `refs/heads/${target}`],
            remoteConfig
          )
          const allow = options.allow
          for (const file of allow ? changed : []) {
            const theirs = await git(root, [
              'show',
              `FETCH_HEAD:${file}`
            ]).catch(() => undefined)
            if (theirs === undefined) continue
            for (const change of editManifest(file, theirs, options.target)
              .changes) {
              if (allow && !(await allow(change, worktree))) {
                log.warning(
                  `${target} already holds a newer image in ${file}; not replacing it`
                )
                return { changed: [], changes: [], attempts: attempt }
              }
            }
          }
          const [theirs, ours] = await Promise.all([
            git(root, ['rev-parse', 'FETCH_HEAD^{tree}']),
            git(worktree, ['rev-parse', 'HEAD^{tree}'])
          ])
          if (theirs === ours) {
            return {
              commit: existing,
              changed,
              changes: applied,
              attempts: attempt,
              unchanged: true
            }
          }
        }
      }
      try {
        await git(
          worktree,
          [
            'push',
            '--quiet',
            ...(options.pushTo ? ['--force'] : []),
            remote,
            `HEAD:refs/heads/${target}`
          ],
          remoteConfig
        )
        const commit = await git(worktree, ['rev-parse', 'HEAD'])
        return { commit, changed, changes: applied, attempts: attempt }
      } catch (error) {
        if (!isRejectedPush(error) || attempt >= attempts) throw error
        const delay = Math.round(
          Math.min(5000, 200 * 2 ** attempt) * (0.5 + Math.random())
        )
        log.info(
          `${branch} moved while committing (attempt ${attempt}); re-applying on the new head in ${delay} ms`
        )
        await sleep(delay)
      }
    }
  } finally {
    if (added)
      await git(root, ['worktree', 'remove', '--force', worktree]).catch(
        () => undefined
      )
    await rm(worktree, { recursive: true, force: true })
  }
}
