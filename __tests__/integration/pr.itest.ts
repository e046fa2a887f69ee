import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { marked } from 'marked'
// The fake GitHub lives in this process: the action runs asynchronously so it can answer.
import { runActionAsync } from '../helpers/action'
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github'
import { git } from '../helpers/git-origin'
import { build } from '../helpers/pipeline'
import { startRegistry, type TestRegistry } from '../helpers/registry'
import { gitWorkspace } from '../helpers/workspace'

let registry: TestRegistry
let github: FakeGitHub
beforeAll(async () => {
  registry = await startRegistry()
  github = await startFakeGitHub()
})
afterAll(async () => {
  await registry?.stop()
  await github?.close()
})

const files = {
  'deps/lib.js': 'export const lib = 1\n'.repeat(500),
  'app/main.js': 'console.log("base")\n',
  'deploy/app.yaml':
    'spec:\n  containers:\n    - name: app\n      image: IMAGE:old\n'
}
const layers = 'deps:/app/node_modules\napp:/app/src'
const sourceDate = '1700000000'

function pullRequestEvent(
  dir: string,
  head: string,
  base: string,
  fork = false
): string {
  const path = join(dir, '..', `event-${head.slice(0, 7)}-${fork}.json`)
  writeFileSync(
    path,
    JSON.stringify({
      number: 7,
      pull_request: {
        number: 7,
        head: {
          sha: head,
          ref: 'feature',
          repo: { full_name: fork ? 'someone/app' : 'acme/app' }
        },
        base: { sha: base, ref: 'main', repo: { full_name: 'acme/app' } }
      }
    })
  )
  return path
}

/** Table rows in the rendered HTML must all have as many cells as the header. */
function expectWellFormedTables(markdown: string): void {
  const html = marked.parse(markdown, { async: false }) as string
  const tables = [...html.matchAll(/<table>([\s\S]*?)<\/table>/g)].map(
    m => m[1]
  )
  expect(tables.length).toBeGreaterThan(0)
  for (const table of tables) {
    const rows = [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(
      m => (m[1].match(/<t[hd][ >]/g) ?? []).length
    )
    expect(new Set(rows).size).toBe(1)
  }
}

describe('pull request reports', () => {
  it('keeps one comment per image up to date, comparing with the base branch image', async () => {
    const image = `${registry.host}/acme/pr`
    const ws = gitWorkspace({
      ...files,
      'deploy/app.yaml': files['deploy/app.yaml'].replace('IMAGE', image)
    })
    // The base branch's image, tagged with the base commit.
    const base = await build(
      {
        image,
        base: 'scratch',
        layers,
        'working-directory': ws.dir,
        'source-date-epoch': sourceDate
      },
      { env: { HOME: process.env.HOME, GITHUB_SHA: ws.sha } }
    )
    writeFileSync(
      join(ws.dir, 'app/main.js'),
      'console.log("feature")\n'.repeat(20)
    )
    git(ws.dir, 'commit', '-q', '-am', 'feature')
    const head = git(ws.dir, 'rev-parse', 'HEAD')
    const env = (sha: string) => ({
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: pullRequestEvent(ws.dir, sha, ws.sha),
      GITHUB_SHA: 'f'.repeat(40), // the merge commit, which {{sha}} must not use
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_API_URL: github.url
    })
    const inputs = {
      image,
      base: 'scratch',
      layers,
      'source-date-epoch': sourceDate,
      manifests: 'deploy/app.yaml',
      'github-token': 'ghs_test_token'
    }
    const first = await runActionAsync(inputs, { cwd: ws.dir, env: env(head) })
    expect(first.stdout).not.toContain('::error')
    expect(first.status).toBe(0)
    expect(first.outputs.tags).toBe(`${image}:${head}`)
    expect(first.stdout).toContain(
      // Annotation properties escape ':' as %3A (the runner's command format).
      `::notice title=Imprint%3A ${image.replace(/:/g, '%3A')}::${image}@${first.outputs.digest}`
    )
    expect(github.comments).toHaveLength(1)
    const comment = github.comments[0].body
    expect(comment).toContain(`<!-- imprint:image=${image} -->`)
    expect(comment).toContain(first.outputs.digest)
    expect(comment).toContain(
      `Compared with the <code>main</code> branch (<code>${image}:${ws.sha}</code>)`
    )
    expect(comment).toMatch(/\*\*linux\/amd64\*\*: 1 of 2 layers changed/)
    expect(comment).toMatch(
      new RegExp(
        `\\| 1 \\| <code>deps</code> \\| <code>${base.platforms[0].layers[0].digest.slice(0, 19)}</code> \\| [^|]+ \\| ±0 \\| unchanged \\|`
      )
    )
    expect(comment).toMatch(
      /\| 2 \| <code>app<\/code> \| .* \| \+\d+ B \| changed \|/
    )
    expect(comment).toContain(
      '<details><summary>Manifest changes merging this would make</summary>'
    )
    expect(comment).toContain(
      `+      image: ${image}:${head}@${first.outputs.digest}`
    )
    expectWellFormedTables(comment)
    expectWellFormedTables(first.summary)
    // Pull requests preview manifest changes; they never commit them.
    expect(git(ws.dir, 'log', '--format=%s', '-1')).toBe('feature')

    // A new push to the pull request updates the same comment.
    writeFileSync(
      join(ws.dir, 'app/main.js'),
      'console.log("feature 2")\n'.repeat(20)
    )
    git(ws.dir, 'commit', '-q', '-am', 'feature 2')
    const second = await runActionAsync(inputs, {
      cwd: ws.dir,
      env: env(git(ws.dir, 'rev-parse', 'HEAD'))
    })
    expect(second.status).toBe(0)
    expect(github.comments).toHaveLength(1)
    expect(github.comments[0].body).toContain(second.outputs.digest)
    expect(github.requests.filter(r => r.method === 'PATCH')).toHaveLength(1)
    expect(
      github.requests.every(r => r.authorization === 'Bearer ghs_test_token')
    ).toBe(true)
  })

  it('only warns when the token is read-only, and reports a fork that cannot push', async () => {
    const guarded = await startRegistry({
      htpasswd: { username: 'u', password: 'p' }
    })
    try {
      const image = `${guarded.host}/acme/fork`
      const ws = gitWorkspace(files)
      github.readOnly = true
      const result = await runActionAsync(
        { image, base: 'scratch', layers, 'github-token': 'ghs_read_only' },
        {
          cwd: ws.dir,
          env: {
            GITHUB_EVENT_NAME: 'pull_request',
            GITHUB_EVENT_PATH: pullRequestEvent(ws.dir, ws.sha, ws.sha, true),
            GITHUB_REPOSITORY: 'acme/app',
            GITHUB_API_URL: github.url
          }
        }
      )
      expect(result.stdout).not.toContain('::error')
      expect(result.status).toBe(0)
      expect(result.outputs.digest).toMatch(/^sha256:/)
      expect(result.stdout).toMatch(
        /::warning::not pushed: the pull request's credentials may not push \(a fork\)/
      )
      expect(result.stdout).toMatch(
        /::warning::pull request comment not written: GitHub API POST .*403 Resource not accessible by integration \(the token may not write/
      )
      expect(result.summary).toContain(result.outputs.digest)
    } finally {
      github.readOnly = false
      await guarded.stop()
    }
  })
})
