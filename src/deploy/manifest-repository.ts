import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { InputError } from '../errors'
import { GitError, tokenConfig, type Git } from '../git/git'
import type { Logger } from '../util/log'

/** Where the manifests are and how commits reach their remote. */
export interface ManifestRepository {
  /** The working tree the manifests are read from. */
  root: string
  /** The branch commits are based on (and, in push mode, made to); unset when nothing is committed. */
  branch?: string
  remote: string
  /** git settings for talking to the remote (the token of a manifest-repository). */
  remoteConfig: string[]
  cleanup(): Promise<void>
}

export interface RepositoryChoice {
  /** `owner/repo` of a separate GitOps repository, cloned; otherwise the checkout. */
  manifestRepository?: string
  manifestBranch?: string
  manifestToken?: string
  /** Whether commits will be made (push or pull-request mode, not on pull_request events). */
  commits: boolean
}

/**
 * The checkout the action runs in (its branch checked on origin when commits will be made), or a
 * one-commit clone of the GitOps repository in a temporary directory.
 */
export async function openManifestRepository(
  git: Git,
  choice: RepositoryChoice,
  where: {
    workspace: string
    serverUrl: string
    branch?: string
    tempDir: string
  },
  log: Logger
): Promise<ManifestRepository> {
  if (choice.manifestRepository)
    return cloneManifestRepository(git, choice, where)
  const root = await git.topLevel(where.workspace)
  const nothing = async (): Promise<void> => {}
  if (!choice.commits)
    return { root, remote: 'origin', remoteConfig: [], cleanup: nothing }
  const branch =
    choice.manifestBranch ?? where.branch ?? (await git.currentBranch(root))
  if (!branch) {
    throw new InputError(
      'manifest-branch',
      'the checkout is on no branch (detached HEAD); name the branch to commit to'
    )
  }
  await git
    .run(root, ['ls-remote', '--exit-code', '--heads', 'origin', branch])
    .catch(error => {
      if ((error as GitError).code === 2) {
        throw new InputError(
          'manifest-branch',
          `branch "${branch}" does not exist on origin; create it first or name another`
        )
      }
      log.warning(
        `could not check branch ${branch} on origin: ${(error as Error).message.split('\n')[0]}`
      )
    })
  return { root, branch, remote: 'origin', remoteConfig: [], cleanup: nothing }
}

/** Clones the GitOps repository (one commit deep) into a temporary directory. */
async function cloneManifestRepository(
  git: Git,
  choice: RepositoryChoice,
  { serverUrl, tempDir }: { serverUrl: string; tempDir: string }
): Promise<ManifestRepository> {
  const repository = choice.manifestRepository!
  const url = `${serverUrl}/${repository}.git`
  const remoteConfig = tokenConfig(url, choice.manifestToken)
  const dir = await mkdtemp(join(tempDir, 'imprint-gitops-'))
  const cleanup = () => rm(dir, { recursive: true, force: true })
  const branchArgs = choice.manifestBranch
    ? ['--branch', choice.manifestBranch]
    : []
  try {
    await git.run(
      tempDir,
      ['clone', '--quiet', '--depth=1', '--no-tags', ...branchArgs, url, dir],
      { config: remoteConfig }
    )
  } catch (error) {
    await cleanup()
    const stderr = error instanceof GitError ? error.stderr : String(error)
    if (choice.manifestBranch && /Remote branch .* not found/i.test(stderr)) {
      throw new InputError(
        'manifest-branch',
        `branch "${choice.manifestBranch}" does not exist in ${repository}`
      )
    }
    throw new InputError(
      'manifest-repository',
      `cannot clone ${repository} (${stderr.trim().split('\n').pop()}); manifest-token (or github-token) must reach it: an App token or PAT, as the job's GITHUB_TOKEN only reaches its own repository`
    )
  }
  const branch = choice.manifestBranch ?? (await git.currentBranch(dir))
  if (!branch) {
    await cleanup()
    throw new InputError(
      'manifest-repository',
      `${repository} has no default branch`
    )
  }
  return {
    root: dir,
    branch: choice.commits ? branch : undefined,
    remote: url,
    remoteConfig,
    cleanup
  }
}
