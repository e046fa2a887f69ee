import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { runAction } from '../helpers/action'
import {
  git,
  originAndClone,
  raceOnFirstPush,
  show
} from '../helpers/git-origin'
import { catalog, startRegistry, type TestRegistry } from '../helpers/registry'
import { requireTool } from '../helpers/tools'

let registry: TestRegistry
beforeAll(async () => {
  registry = await startRegistry()
})
afterAll(async () => registry?.stop())

const deployment = (image: string) => `# the api, deployed by imprint\r
apiVersion: apps/v1\r
kind: Deployment\r
metadata:\r
  name: api\r
spec:\r
  template:\r
    spec:\r
      containers:\r
        - name: api\r
          image: ${image}   # pinned by CI\r
        - name: proxy\r
          image: docker.io/library/nginx:1.27\r
`
const kustomization = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
images:
  - name: app
    newName: IMAGE
`
const values = `image:
  repository: IMAGE
  tag: "1234567"   # numeric-looking tags stay strings
  pullPolicy: IfNotPresent
`

function seed(image: string): Record<string, string> {
  return {
    'app/hello.txt': 'hello\n',
    'deploy/base/deployment.yaml': deployment(`${image}:old`),
    'deploy/overlay/kustomization.yaml': kustomization.replace('IMAGE', image),
    'deploy/overlay/deployment.yaml': deployment('app'),
    'chart/values.yaml': values.replace('IMAGE', image),
    'other/unrelated.yaml': 'a: 1\n'
  }
}

const env = (sha: string) => ({
  GITHUB_SHA: sha,
  GITHUB_REF_NAME: 'main',
  GITHUB_REF_TYPE: 'branch',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_EVENT_NAME: 'push'
})

describe('manifests pinned by digest and pushed', () => {
  it('commits byte-exact edits onto the branch, rebasing over a merge that lands meanwhile', () => {
    const image = `${registry.host}/acme/deploy`
    const repo = originAndClone(seed(image))
    raceOnFirstPush(
      repo.workspace,
      repo.clone(),
      'other/unrelated.yaml',
      'b: 2\n'
    )
    const run = runAction(
      {
        image,
        base: 'scratch',
        layers: 'app:/app',
        manifests: 'deploy/**/*.yaml\nchart/values.yaml',
        // The overlay's deployment names the image by kustomize's placeholder only.
        'manifest-no-match': 'warning'
      },
      { cwd: repo.workspace, env: env(repo.sha) }
    )
    expect(run.stdout).not.toContain('::error')
    expect(run.stdout).toContain(
      `::warning::deploy/overlay/deployment.yaml has no reference to ${image}`
    )
    expect(run.status).toBe(0)
    const { digest } = run.outputs
    const pinned = `${image}:${repo.sha}@${digest}`

    // Our first push was rejected by the merge that landed meanwhile; the edit was re-applied.
    expect(run.stdout).toContain('main moved while committing (attempt 1)')
    // origin has the concurrent merge and, on top of it, our commit.
    const head = git(repo.origin, 'rev-parse', 'main')
    expect(run.outputs['manifest-commit']).toBe(head)
    expect(
      git(repo.origin, 'log', '--format=%s', '-2', 'main').split('\n')
    ).toEqual([
      `deploy: ${image}@${digest} (${repo.sha.slice(0, 7)})`,
      'concurrent merge'
    ])
    const body = git(repo.origin, 'log', '--format=%b', '-1', 'main')
    expect(body).toContain(
      `deploy/base/deployment.yaml: ${image}:old → ${pinned}`
    )
    expect(body).toContain('[skip ci]')
    expect(show(repo.origin, 'main', 'other/unrelated.yaml')).toBe(
      'a: 1\nb: 2\n'
    )

    // Byte-exact: only the values changed; CRLF, comments and the other image kept.
    expect(show(repo.origin, 'main', 'deploy/base/deployment.yaml')).toBe(
      deployment(pinned)
    )
    expect(show(repo.origin, 'main', 'deploy/overlay/kustomization.yaml')).toBe(
      kustomization.replace('IMAGE', image) +
        `    newTag: ${repo.sha}\n    digest: ${digest}\n`
    )
    expect(show(repo.origin, 'main', 'chart/values.yaml')).toBe(
      values.replace('IMAGE', image).replace('"1234567"', `"${repo.sha}"`)
    )
    expect(run.outputs['manifests-changed'].split('\n')).toEqual([
      'deploy/base/deployment.yaml',
      'deploy/overlay/kustomization.yaml',
      'chart/values.yaml'
    ])
    expect(run.outputs['previous-image']).toBe(`${image}:old`)
    expect(run.summary).toContain('#### Manifest changes')

    // kubectl kustomize (not our code) renders the pinned reference.
    const checkout = repo.clone()
    const rendered = execFileSync(
      requireTool('kubectl'),
      ['kustomize', join(checkout, 'deploy/overlay')],
      { encoding: 'utf8' }
    )
    expect(rendered).toContain(`image: ${pinned}`)

    // The user's checkout is untouched; a re-run has nothing to commit.
    expect(
      readFileSync(join(repo.workspace, 'deploy/base/deployment.yaml'), 'utf8')
    ).toBe(deployment(`${image}:old`))
    const again = runAction(
      {
        image,
        base: 'scratch',
        layers: 'app:/app',
        manifests: 'deploy/**/*.yaml\nchart/values.yaml',
        'manifest-no-match': 'warning'
      },
      { cwd: repo.workspace, env: env(repo.sha) }
    )
    expect(again.status).toBe(0)
    expect(again.outputs['manifest-commit']).toBe('')
    expect(again.outputs['manifests-changed']).toBe('')
    expect(git(repo.origin, 'rev-parse', 'main')).toBe(head)
  })

  it('never replaces an image built from a newer commit with an older one', () => {
    const image = `${registry.host}/acme/ordered`
    const repo = originAndClone(seed(image))
    const older = repo.sha
    // A newer commit, already deployed.
    git(repo.workspace, 'commit', '-q', '--allow-empty', '-m', 'newer')
    const newer = git(repo.workspace, 'rev-parse', 'HEAD')
    const deployed = `${image}:${newer}@sha256:${'e'.repeat(64)}`
    const other = repo.clone()
    git(other, 'pull', '-q', repo.origin, 'main')
    execFileSync(
      'sh',
      [
        '-c',
        `sed -i 's#${image}:old#${deployed}#' deploy/base/deployment.yaml`
      ],
      { cwd: other }
    )
    git(other, 'commit', '-q', '-am', 'deploy newer')
    git(repo.workspace, 'push', '-q', 'origin', 'HEAD:main')
    git(other, 'pull', '-q', '--rebase', 'origin', 'main')
    git(other, 'push', '-q', 'origin', 'HEAD:main')
    const before = git(repo.origin, 'rev-parse', 'main')

    const run = runAction(
      {
        image,
        base: 'scratch',
        layers: 'app:/app',
        manifests: 'deploy/base/deployment.yaml'
      },
      { cwd: repo.workspace, env: env(older) }
    )
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(
      /::warning::.*the deployed image is from .{7}, newer than .{7}; not replacing it/
    )
    expect(git(repo.origin, 'rev-parse', 'main')).toBe(before)
    expect(run.outputs['manifest-commit']).toBe('')
  })

  it('edits the workspace only with manifest-commit: none', () => {
    const image = `${registry.host}/acme/workspace`
    const repo = originAndClone(seed(image))
    const run = runAction(
      {
        image,
        base: 'scratch',
        layers: 'app:/app',
        manifests: 'deploy/base/deployment.yaml',
        'manifest-commit': 'none'
      },
      { cwd: repo.workspace, env: env(repo.sha) }
    )
    expect(run.status).toBe(0)
    expect(
      readFileSync(join(repo.workspace, 'deploy/base/deployment.yaml'), 'utf8')
    ).toBe(deployment(`${image}:${repo.sha}@${run.outputs.digest}`))
    expect(git(repo.origin, 'rev-parse', 'main')).toBe(repo.sha)
    expect(run.outputs['manifests-changed']).toBe('deploy/base/deployment.yaml')
  })
})

describe('manifests are checked before any layer is built', () => {
  it.each([
    [
      'a malformed file',
      {
        'deploy/base/deployment.yaml':
          'spec:\n  containers:\n  - image: [unclosed\n'
      },
      'deploy/base/deployment.yaml',
      /^::error::Input "manifests": deploy\/base\/deployment\.yaml:\d+: not valid YAML/
    ],
    [
      'a file without the image',
      {},
      'other/unrelated.yaml',
      /^::error::Input "manifests": other\/unrelated\.yaml has no reference to .*manifest-no-match: warning/
    ],
    [
      'a branch that does not exist on origin',
      {},
      'deploy/base/deployment.yaml',
      /^::error::Input "manifest-branch": branch "nope" does not exist on origin/,
      { 'manifest-branch': 'nope' }
    ],
    [
      'a pattern matching nothing',
      {},
      'nowhere/*.yaml',
      /^::error::Input "manifests": "nowhere\/\*\.yaml" matches no file/
    ]
  ] as [
    string,
    Record<string, string>,
    string,
    RegExp,
    Record<string, string>?
  ][])('%s', async (_what, files, manifests, expected, inputs = {}) => {
    const image = `${registry.host}/acme/never-pushed`
    const repo = originAndClone({ ...seed(image), ...files })
    const before = readFileSync(
      join(repo.workspace, 'deploy/base/deployment.yaml'),
      'utf8'
    )
    const run = runAction(
      { image, base: 'scratch', layers: 'app:/app', manifests, ...inputs },
      { cwd: repo.workspace, env: env(repo.sha) }
    )
    expect(run.status).toBe(1)
    const errors = run.stdout.split('\n').filter(l => l.startsWith('::error'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(expected)
    expect(run.stdout).not.toContain('::group::Build layers')
    expect(await catalog(registry)).not.toContain('acme/never-pushed')
    expect(
      readFileSync(join(repo.workspace, 'deploy/base/deployment.yaml'), 'utf8')
    ).toBe(before)
    expect(git(repo.origin, 'rev-parse', 'main')).toBe(repo.sha)
  })
})
