import type { ManifestPullRequest } from './pull-request'
import type { ManifestChange } from './edit'

/** What the deploy stage did to the manifests, for outputs, the summary and the PR comment. */
export interface DeployResult {
  mode: 'push' | 'pull-request' | 'none'
  /** The manifest commit as it is on the remote (push and pull-request modes). */
  commit?: string
  changed: string[]
  changes: { path: string; change: ManifestChange }[]
  /** The reference the manifests pointed to before (for rollbacks). */
  previous?: string
  /** Why nothing was written, when nothing was. */
  skipped?: string
  /** The changes as diffs, also when nothing is written (pull request previews). */
  preview: string[]
  /** Pull-request mode: the pull request opened or updated. */
  pullRequest?: ManifestPullRequest
}
