import { readFile } from 'node:fs/promises'
import type { Git } from '../git/git'
import { lastRfc3339Second, rfc3339 } from '../oci/types'
import type { Logger } from '../util/log'

/** Facts about the commit and the workflow run that tags, labels and timestamps are made from. */
export interface BuildContext {
  /** The commit the image is built from: on `pull_request` events the PR head, not the merge commit. */
  sha?: string
  /**
   * On `pull_request` events whose checkout is not the head (the default merge of the head into
   * the base branch): the commit checked out, whose files the layers hold.
   */
  mergeCheckout?: string
  branch?: string
  pr?: number
  runNumber?: string
  /** `https://github.com/owner/repo`, for `org.opencontainers.image.source`. */
  sourceUrl?: string
  /** The git tag being built, for `org.opencontainers.image.version`. */
  version?: string
  eventName?: string
  actor?: string
  /** Seconds since the epoch used for every timestamp in the image. */
  sourceDateEpoch: number
  /** Where `sourceDateEpoch` came from, for the log. */
  sourceDateOrigin: string
  /** Commits likely to have an image already (the push's previous head, the PR base, parents). */
  previousCommits: string[]
  /** On pull_request events: the base branch's commit and name, for the comparison. */
  baseCommit?: string
  baseBranch?: string
  /** `owner/repo`, for API calls. */
  repository?: string
  /** The pull request comes from another repository (a fork): its token is read-only. */
  fromFork?: boolean
  /** The repository is private or internal (from the event): its names must not go to public logs. */
  privateRepository?: boolean
  /** `https://github.com` or the GitHub Enterprise server. */
  serverUrl: string
  /** The REST API's base URL. */
  apiUrl: string
  /** This workflow run's page, for links in pull requests. */
  runUrl?: string
  /** The checkout the action runs in: manifests are found from its repository root. */
  workspace: string
  /** Where the run may put temporary files (the runner's `RUNNER_TEMP`). */
  tempDir: string
}

interface PullRequestEvent {
  pull_request?: {
    number?: number
    head?: { sha?: string; ref?: string; repo?: { full_name?: string } }
    base?: { sha?: string; ref?: string; repo?: { full_name?: string } }
  }
  number?: number
  before?: string
  repository?: { private?: boolean; visibility?: string }
}

async function readEvent(path: string | undefined): Promise<PullRequestEvent> {
  if (!path) return {}
  try {
    return JSON.parse(await readFile(path, 'utf8')) as PullRequestEvent
  } catch {
    return {}
  }
}

/** A full commit id: SHA-1, or SHA-256 in repositories that use it. */
const commitId = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/

/**
 * `rev` (`HEAD` or a commit id) and up to three commits before it (newest first, as `git rev-list`
 * walks), with their commit times; empty when git cannot say (outside a checkout, a commit a
 * shallow clone lacks). Plumbing, so that no user setting (`log.showSignature`) changes the output.
 */
async function commitsFrom(
  git: Git,
  cwd: string,
  rev: string,
  count = 4
): Promise<{ sha: string; time: number }[]> {
  if (rev !== 'HEAD' && !commitId.test(rev)) return []
  const out = await git.tryRun(cwd, [
    'rev-list',
    '--timestamp',
    `--max-count=${count}`,
    rev,
    '--'
  ])
  const commits: { sha: string; time: number }[] = []
  for (const line of out?.split('\n') ?? []) {
    const match = /^(\d+) ([0-9a-f]+)$/.exec(line.trim())
    if (!match || !commitId.test(match[2])) return commits
    commits.push({ sha: match[2], time: Number(match[1]) })
  }
  return commits
}

/** Reads the GitHub Actions environment, falling back to the git checkout for local runs. */
export async function readContext(
  env: NodeJS.ProcessEnv,
  run: Git,
  where: { workspace: string; workingDirectory: string; tempDir: string },
  sourceDateEpochInput?: number
): Promise<BuildContext> {
  const { workingDirectory } = where
  const eventName = env.GITHUB_EVENT_NAME
  const event = await readEvent(env.GITHUB_EVENT_PATH)
  const isPullRequest =
    eventName === 'pull_request' || eventName === 'pull_request_target'
  const knownSha =
    ((isPullRequest ? event.pull_request?.head?.sha : undefined) ??
      env.GITHUB_SHA) ||
    undefined
  const isBranchRef =
    env.GITHUB_REF_TYPE === 'branch' ||
    env.GITHUB_REF?.startsWith('refs/heads/') === true
  // Locally (not in Actions) the checkout says which branch it is on.
  const askBranch = !isPullRequest && !isBranchRef && !env.GITHUB_ACTIONS
  // The git questions go out at once (each is a process start): the commit with its ancestors,
  // what is checked out (a pull request's merge), and locally the branch.
  const [history, headOfCheckout, localBranch] = await Promise.all([
    commitsFrom(run, workingDirectory, knownSha ?? 'HEAD'),
    isPullRequest && knownSha
      ? commitsFrom(run, workingDirectory, 'HEAD', 1)
      : Promise.resolve([]),
    askBranch
      ? run.tryRun(workingDirectory, ['branch', '--show-current'])
      : undefined
  ])
  const sha = knownSha ?? history[0]?.sha
  // The commit's time comes from HEAD when the checkout lacks the commit (a shallow pull_request
  // checkout of the merge has no PR head; a workflow may check out another ref than GITHUB_SHA).
  const checkedOut =
    knownSha &&
    history.length === 0 &&
    !isPullRequest &&
    sourceDateEpochInput === undefined
      ? await commitsFrom(run, workingDirectory, 'HEAD', 1)
      : headOfCheckout
  const branch = isPullRequest
    ? (env.GITHUB_HEAD_REF ?? event.pull_request?.head?.ref)
    : isBranchRef
      ? env.GITHUB_REF_NAME
      : localBranch
  const version = env.GITHUB_REF?.startsWith('refs/tags/')
    ? env.GITHUB_REF.slice('refs/tags/'.length)
    : undefined
  const serverUrl = (env.GITHUB_SERVER_URL || 'https://github.com').replace(
    /\/+$/,
    ''
  )
  const sourceUrl = env.GITHUB_REPOSITORY
    ? `${serverUrl}/${env.GITHUB_REPOSITORY}`
    : undefined

  let sourceDateEpoch = 0
  let sourceDateOrigin = 'default (0)'
  if (sourceDateEpochInput !== undefined) {
    sourceDateEpoch = sourceDateEpochInput
    sourceDateOrigin = 'the source-date-epoch input'
  } else {
    const commitTime = history[0]?.time ?? checkedOut[0]?.time
    if (commitTime !== undefined) {
      sourceDateEpoch = commitTime
      sourceDateOrigin = `the commit time of ${sha?.slice(0, 7)}`
    } else if (env.SOURCE_DATE_EPOCH && /^\d+$/.test(env.SOURCE_DATE_EPOCH)) {
      sourceDateEpoch = Number(env.SOURCE_DATE_EPOCH)
      sourceDateOrigin = '$SOURCE_DATE_EPOCH'
      if (sourceDateEpoch > lastRfc3339Second)
        throw new Error(
          `$SOURCE_DATE_EPOCH ${env.SOURCE_DATE_EPOCH} is after 9999-12-31T23:59:59Z (${lastRfc3339Second}), the last time an image's created field can hold`
        )
    }
  }

  const previousCommits: string[] = []
  const add = (commit: string | undefined): void => {
    if (
      commit &&
      commitId.test(commit) &&
      !/^0+$/.test(commit) &&
      commit !== sha &&
      !previousCommits.includes(commit)
    ) {
      previousCommits.push(commit)
    }
  }
  add(event.before)
  add(event.pull_request?.base?.sha)
  for (const ancestor of history.slice(1)) add(ancestor.sha)

  const mergeCheckout =
    isPullRequest && checkedOut[0] && checkedOut[0].sha !== sha
      ? checkedOut[0].sha
      : undefined
  const head = event.pull_request?.head?.repo?.full_name
  const baseRepo = event.pull_request?.base?.repo?.full_name
  return {
    sha,
    mergeCheckout,
    branch,
    previousCommits,
    baseCommit: isPullRequest ? event.pull_request?.base?.sha : undefined,
    baseBranch: isPullRequest ? event.pull_request?.base?.ref : undefined,
    repository: env.GITHUB_REPOSITORY,
    privateRepository:
      event.repository?.private === true ||
      (event.repository?.visibility !== undefined &&
        event.repository.visibility !== 'public'),
    fromFork:
      isPullRequest &&
      head !== undefined &&
      baseRepo !== undefined &&
      head !== baseRepo,
    pr: isPullRequest
      ? (event.pull_request?.number ?? event.number)
      : undefined,
    runNumber: env.GITHUB_RUN_NUMBER,
    sourceUrl,
    version,
    eventName,
    actor: env.GITHUB_ACTOR,
    sourceDateEpoch,
    sourceDateOrigin,
    serverUrl,
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    runUrl:
      sourceUrl && env.GITHUB_RUN_ID
        ? `${sourceUrl}/actions/runs/${env.GITHUB_RUN_ID}`
        : undefined,
    workspace: where.workspace,
    tempDir: where.tempDir
  }
}

/** Whether the run is for a pull request (its head commit, no commits to branches). */
export function isPullRequest(context: BuildContext): boolean {
  return (
    context.eventName === 'pull_request' ||
    context.eventName === 'pull_request_target'
  )
}

/** The context stage: the run's facts, read once, with the commit and source date in the log. */
export function contextStage(
  env: NodeJS.ProcessEnv,
  git: Git,
  where: { workspace: string; workingDirectory: string; tempDir: string },
  sourceDateEpoch: number | undefined,
  log: Logger
): Promise<BuildContext> {
  return log.group('Context', async () => {
    const context = await readContext(env, git, where, sourceDateEpoch)
    log.info(
      `commit ${context.sha ?? '(none)'}; source date ${context.sourceDateEpoch} (${rfc3339(context.sourceDateEpoch)}) from ${context.sourceDateOrigin}`
    )
    return context
  })
}
