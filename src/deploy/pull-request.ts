import { createHash } from 'node:crypto'
import type { GitHubApi } from '../github/api'
import type { Logger } from '../util/log'
import type { ImageTarget } from './edit'

/** The pull request opened or updated for a manifest change. */
export interface ManifestPullRequest {
  url: string
  number: number
  operation: 'created' | 'updated' | 'unchanged'
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
 * Opens the pull request from `head` into `base`, or updates the open one (its text, unless the
 * branch already held exactly this change).
 */
export async function openPullRequest(
  api: GitHubApi,
  repository: string,
  pull: {
    head: string
    base: string
    title: string
    body: string
    unchanged: boolean
  },
  log: Logger
): Promise<ManifestPullRequest> {
  const [owner, repo] = repository.split('/')
  const text = { title: pull.title, body: pull.body }
  const existing = await api.findOpenPull(
    owner,
    repo,
    `${owner}:${pull.head}`,
    pull.base
  )
  if (existing) {
    if (!pull.unchanged)
      await api.updatePull(owner, repo, existing.number, text)
    log.info(
      `pull request ${existing.html_url} ${pull.unchanged ? 'already up to date' : 'updated'}`
    )
    return {
      url: existing.html_url,
      number: existing.number,
      operation: pull.unchanged ? 'unchanged' : 'updated'
    }
  }
  const created = await api.createPull(owner, repo, {
    ...text,
    head: pull.head,
    base: pull.base
  })
  log.info(`pull request ${created.html_url} opened`)
  return { url: created.html_url, number: created.number, operation: 'created' }
}
