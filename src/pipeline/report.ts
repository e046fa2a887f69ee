import { GitHubApi, refusedHint } from '../github/api'
import type { ReportInputs } from '../inputs'
import {
  commentMarker,
  renderComment,
  upsertComment
} from '../report/pr-comment'
import type { PipelineResult } from '../report/result'
import type { Logger } from '../util/log'
import type { BuildContext } from './context'

/**
 * The report stage: on pull requests, keeps this image's comment up to date. A read-only token
 * (forks), a missing pull request or an API error is a warning: the job summary, which the front
 * end writes from the same result, still has everything.
 */
export async function report(
  result: PipelineResult,
  inputs: ReportInputs & { pushByDigest: boolean },
  context: BuildContext,
  log: Logger
): Promise<void> {
  const pullRequest = result.pullRequest
  // Fan-out legs would overwrite each other's comment; the merge job reports the index.
  if (!pullRequest || !inputs.comment || inputs.pushByDigest) return
  await log.group('Report', async () => {
    const [owner, repo] = (context.repository ?? '').split('/')
    if (!owner || !repo) {
      log.warning('pull request comment skipped: GITHUB_REPOSITORY is not set')
      return
    }
    if (!inputs.githubToken) {
      log.warning('pull request comment skipped: github-token is empty')
      return
    }
    try {
      const { action } = await upsertComment(
        new GitHubApi(inputs.githubToken, context.apiUrl),
        { owner, repo, issue: pullRequest.number },
        commentMarker(result.repository),
        renderComment(result, pullRequest.baseBranch)
      )
      log.info(`pull request #${pullRequest.number}: comment ${action}`)
    } catch (error) {
      const hint = refusedHint(
        error,
        'the token may not write to this pull request: a fork, or missing "pull-requests: write" permission'
      )
      log.warning(
        `pull request comment not written: ${(error as Error).message}${hint}`
      )
    }
  })
}
