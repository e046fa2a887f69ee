/** The few GitHub REST endpoints the PR comment needs, over fetch (GITHUB_API_URL honoured). */
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
    super(`GitHub API ${method} ${path}: ${status} ${detail}`)
    this.name = 'GitHubApiError'
  }
}

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
    const res = await fetch(`${this.baseUrl.replace(/\/$/, '')}${path}`, {
      method,
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${this.token}`,
        'x-github-api-version': '2022-11-28',
        'user-agent': 'imprint',
        ...(body ? { 'content-type': 'application/json' } : {})
      },
      body: body ? JSON.stringify(body) : undefined
    })
    const text = await res.text()
    if (!res.ok) {
      let detail = text.slice(0, 200)
      try {
        detail = (JSON.parse(text) as { message?: string }).message ?? detail
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

/** Keeps one comment per marker: updated in place when it exists, created otherwise. */
export async function upsertComment(
  api: GitHubApi,
  target: { owner: string; repo: string; issue: number },
  marker: string,
  body: string
): Promise<{ id: number; action: 'created' | 'updated' }> {
  // Ours start with the marker; a comment merely quoting it is someone else's.
  const existing = (
    await api.listComments(target.owner, target.repo, target.issue)
  ).find(c => c.body?.startsWith(marker))
  if (existing) {
    try {
      await api.updateComment(target.owner, target.repo, existing.id, body)
      return { id: existing.id, action: 'updated' }
    } catch (error) {
      // Not ours to edit (another author planted the marker): write our own instead.
      if (!(
        error instanceof GitHubApiError &&
        (error.status === 403 || error.status === 404)
      ))
        throw error
    }
  }
  const created = await api.createComment(
    target.owner,
    target.repo,
    target.issue,
    body
  )
  return { id: created.id, action: 'created' }
}
