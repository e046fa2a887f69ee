import { fetchText } from '../util/fetch-text'
import { foreignText } from '../util/text'

/**
 * The few GitHub REST endpoints Imprint needs (comments, pull requests), over fetch, with every
 * answer bounded in size and time.
 */
export interface IssueComment {
  id: number
  body?: string
}

export class GitHubApiError extends Error {
  constructor(
    readonly status: number,
    method: string,
    path: string,
    detail: string
  ) {
    super(`GitHub API ${method} ${path}: ${status} ${foreignText(detail)}`)
    this.name = 'GitHubApiError'
  }
}

/** ` (what)` when the API refused the token (403: a permission the job lacks), else nothing. */
export function refusedHint(error: unknown, what: string): string {
  return error instanceof GitHubApiError && error.status === 403
    ? ` (${what})`
    : ''
}

const bounds = { timeoutMs: 60_000, maxBytes: 16 * 1024 * 1024 }

export class GitHubApi {
  constructor(
    private readonly token: string,
    private readonly baseUrl = 'https://api.github.com'
  ) {}

  private async call<T>(
    method: string,
    path: string,
    body?: unknown
  ): Promise<T> {
    let res: { status: number; ok: boolean; text: string }
    try {
      res = await fetchText(
        `${this.baseUrl.replace(/\/$/, '')}${path}`,
        {
          method,
          headers: {
            accept: 'application/vnd.github+json',
            authorization: `Bearer ${this.token}`,
            'x-github-api-version': '2022-11-28',
            'user-agent': 'imprint',
            ...(body ? { 'content-type': 'application/json' } : {})
          },
          body: body ? JSON.stringify(body) : undefined
        },
        bounds
      )
    } catch (error) {
      throw new GitHubApiError(0, method, path, (error as Error).message)
    }
    const text = res.text
    if (!res.ok) {
      let detail = text
      try {
        const message = (JSON.parse(text) as { message?: unknown }).message
        if (typeof message === 'string') detail = message
      } catch {
        // not JSON
      }
      throw new GitHubApiError(res.status, method, path, detail)
    }
    return (text ? JSON.parse(text) : undefined) as T
  }

  /** Every comment of an issue or pull request, all pages. */
  async listComments(
    owner: string,
    repo: string,
    issue: number
  ): Promise<IssueComment[]> {
    const all: IssueComment[] = []
    for (let page = 1; page <= 50; page++) {
      const batch = await this.call<IssueComment[]>(
        'GET',
        `/repos/${owner}/${repo}/issues/${issue}/comments?per_page=100&page=${page}`
      )
      all.push(...batch)
      if (batch.length < 100) break
    }
    return all
  }

  createComment(
    owner: string,
    repo: string,
    issue: number,
    body: string
  ): Promise<IssueComment> {
    return this.call(
      'POST',
      `/repos/${owner}/${repo}/issues/${issue}/comments`,
      { body }
    )
  }

  updateComment(
    owner: string,
    repo: string,
    id: number,
    body: string
  ): Promise<IssueComment> {
    return this.call('PATCH', `/repos/${owner}/${repo}/issues/comments/${id}`, {
      body
    })
  }
  /** The open pull request from `head` (`owner:branch`) into `base`, if any. */
  async findOpenPull(
    owner: string,
    repo: string,
    head: string,
    base: string
  ): Promise<PullRequest | undefined> {
    const query = `head=${encodeURIComponent(head)}&base=${encodeURIComponent(base)}&state=open&per_page=10`
    const pulls = await this.call<PullRequest[]>(
      'GET',
      `/repos/${owner}/${repo}/pulls?${query}`
    )
    return pulls[0]
  }

  /**
   * Stores a Sigstore bundle in the repository's attestations (what actions/attest does), so
   * `gh attestation verify oci://IMAGE@DIGEST --owner OWNER` finds it. Needs `attestations: write`.
   */
  createAttestation(
    owner: string,
    repo: string,
    bundle: object
  ): Promise<{ id: number }> {
    return this.call('POST', `/repos/${owner}/${repo}/attestations`, {
      bundle
    })
  }

  createPull(
    owner: string,
    repo: string,
    pull: { title: string; body: string; head: string; base: string }
  ): Promise<PullRequest> {
    return this.call('POST', `/repos/${owner}/${repo}/pulls`, pull)
  }

  updatePull(
    owner: string,
    repo: string,
    number: number,
    pull: { title: string; body: string }
  ): Promise<PullRequest> {
    return this.call('PATCH', `/repos/${owner}/${repo}/pulls/${number}`, pull)
  }
}

export interface PullRequest {
  number: number
  html_url: string
}
