import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
// The fake GitHub lives in this process: the action runs asynchronously so it can answer.
import { runActionAsync } from '../helpers/action'
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github'
import { git, originAndClone, show, writeFiles } from '../helpers/git-origin'
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

const manifest = (image: string) =>
  `# deployed by imprint\nspec:\n  containers:\n    - name: app\n      image: ${image}:old\n`
const pushEnv = (sha: string) => ({
  GITHUB_SHA: sha,
  GITHUB_REF_NAME: 'main',
  GITHUB_REF_TYPE: 'branch',
  GITHUB_EVENT_NAME: 'push',
  GITHUB_REPOSITORY: 'acme/app',
  GITHUB_API_URL: ''
})

describe('manifest-commit: pull-request', () => {
  it('pushes a branch per image and opens, then updates, one pull request', async () => {
    const image = `${registry.host}/acme/pr-mode`
    const repo = originAndClone({
      'app/a.txt': 'a\n',
      'deploy/app.yaml': manifest(image)
    })
    const inputs = {
      image,
      base: 'scratch',
      layers: 'app:/app',
      manifests: 'deploy/app.yaml',
      'manifest-commit': 'pull-request',
      'github-token': 'ghs_app_token'
    }
    const env = { ...pushEnv(repo.sha), GITHUB_API_URL: github.url }
    const first = await runActionAsync(inputs, { cwd: repo.workspace, env })
    expect(first.stdout).not.toContain('::error')
    expect(first.status).toBe(0)
    const branch = `imprint/main/${image.replace(/[^A-Za-z0-9_-]+/g, '-')}-${createHash('sha256').update(image).digest('hex').slice(0, 8)}`
    // main is untouched; the branch has the pinned manifest; no [skip ci] so the PR's checks run.
    expect(git(repo.origin, 'rev-parse', 'main')).toBe(repo.sha)
    expect(show(repo.origin, branch, 'deploy/app.yaml')).toBe(
      manifest(image).replace(
        `${image}:old`,
        `${image}:${repo.sha}@${first.outputs.digest}`
      )
    )
    expect(git(repo.origin, 'log', '--format=%B', '-1', branch)).not.toContain(
      '[skip ci]'
    )
    expect(first.outputs['manifest-commit']).toBe(
      git(repo.origin, 'rev-parse', branch)
    )
    expect(github.pulls).toHaveLength(1)
    expect(github.pulls[0]).toMatchObject({
      head: branch,
      base: 'main',
      title: `deploy: ${image}@${first.outputs.digest} (${repo.sha.slice(0, 7)})`
    })
    expect(first.outputs['manifest-pull-request']).toBe(
      'https://github.example/acme/app/pull/1'
    )

    // A later build force-updates the same branch and updates the same pull request.
    writeFiles(repo.workspace, { 'app/a.txt': 'b\n' })
    git(repo.workspace, 'commit', '-q', '-am', 'change')
    const second = await runActionAsync(inputs, {
      cwd: repo.workspace,
      env: { ...env, GITHUB_SHA: git(repo.workspace, 'rev-parse', 'HEAD') }
    })
    expect(second.status).toBe(0)
    expect(github.pulls).toHaveLength(1)
    expect(show(repo.origin, branch, 'deploy/app.yaml')).toContain(
      second.outputs.digest
    )
    expect(git(repo.origin, 'rev-list', '--count', branch)).toBe('2') // seed + one commit, rewritten
    expect(
      github.requests.filter(
        r => r.method === 'PATCH' && r.path.endsWith('/pulls/1')
      )
    ).toHaveLength(1)

    // The same build again: nothing to push, the pull request is left as it is.
    const again = await runActionAsync(inputs, {
      cwd: repo.workspace,
      env: { ...env, GITHUB_SHA: git(repo.workspace, 'rev-parse', 'HEAD') }
    })
    expect(again.status).toBe(0)
    expect(
      github.requests.filter(
        r => r.method === 'PATCH' && r.path.endsWith('/pulls/1')
      )
    ).toHaveLength(1)
    expect(
      JSON.parse(again.outputs.metadata).manifests.pullRequest.operation
    ).toBe('unchanged')

    // An older commit's build finishing late never replaces the newer image on the branch.
    const before = git(repo.origin, 'rev-parse', branch)
    // The newer commit is in the source repository (on a branch); the older build's job has a
    // checkout of the older commit, which main still is.
    git(repo.workspace, 'push', '-q', 'origin', 'HEAD:refs/heads/feature')
    const late = await runActionAsync(inputs, {
      cwd: repo.clone(),
      env: { ...env, GITHUB_SHA: repo.sha }
    })
    expect(late.status).toBe(0)
    expect(late.stdout).toMatch(
      /::warning::.*already holds a newer image in deploy\/app\.yaml; not replacing it/
    )
    expect(git(repo.origin, 'rev-parse', branch)).toBe(before)
  })
})

describe('manifest-repository', () => {
  it('clones the GitOps repository and commits there, leaving the app repository alone', async () => {
    const image = `${registry.host}/acme/gitops`
    // GITHUB_SERVER_URL points at a directory of bare repositories: git reaches OWNER/REPO.git in it.
    const server = mkdtempSync(join(tmpdir(), 'imprint-server-'))
    const gitops = join(server, 'acme', 'gitops.git')
    mkdirSync(join(server, 'acme'))
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', gitops])
    const seed = mkdtempSync(join(tmpdir(), 'imprint-gitops-seed-'))
    git(seed, 'clone', '-q', gitops, '.')
    writeFiles(seed, { 'apps/api.yaml': manifest(image) })
    git(seed, 'add', '-A')
    git(seed, 'commit', '-q', '-m', 'seed')
    git(seed, 'push', '-q', 'origin', 'HEAD:main')

    const app = gitWorkspace({ 'app/a.txt': 'a\n' })
    const run = await runActionAsync(
      {
        image,
        base: 'scratch',
        layers: 'app:/app',
        manifests: 'apps/api.yaml',
        'manifest-repository': 'acme/gitops',
        'github-token': 'ghs_x'
      },
      {
        cwd: app.dir,
        env: { ...pushEnv(app.sha), GITHUB_SERVER_URL: `file://${server}` }
      }
    )
    expect(run.stdout).not.toContain('::error')
    expect(run.status).toBe(0)
    expect(show(gitops, 'main', 'apps/api.yaml')).toBe(
      manifest(image).replace(
        `${image}:old`,
        `${image}:${app.sha}@${run.outputs.digest}`
      )
    )
    expect(run.outputs['manifest-commit']).toBe(
      git(gitops, 'rev-parse', 'main')
    )
    expect(git(app.dir, 'status', '--porcelain')).toBe('')

    const missing = await runActionAsync(
      {
        image,
        base: 'scratch',
        layers: 'app:/app',
        manifests: 'apps/api.yaml',
        'manifest-repository': 'acme/nope',
        'github-token': 'ghs_x'
      },
      {
        cwd: app.dir,
        env: { ...pushEnv(app.sha), GITHUB_SERVER_URL: `file://${server}` }
      }
    )
    expect(missing.status).toBe(1)
    expect(missing.stdout).toMatch(
      /::error::Input "manifest-repository": cannot clone acme\/nope/
    )
  })
})
