// Issue 18: several registries in one step — built once, pushed to each (mounted on the same
// registry, uploaded to another), the same digest and tags everywhere, signed in each.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { runAction } from '../helpers/action'
import { catalog, startRegistry, type TestRegistry } from '../helpers/registry'
import { skopeo } from '../helpers/tools'
import { generateCosignKeys } from '../helpers/keys'
import { gitWorkspace } from '../helpers/workspace'

let first: TestRegistry
let second: TestRegistry
const keys = mkdtempSync(join(tmpdir(), 'imprint-keys-'))
const password = 'mirror mirror'

beforeAll(async () => {
  ;[first, second] = await Promise.all([startRegistry(), startRegistry()])
  generateCosignKeys(keys, password)
})
afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()])
})

const digestOf = async (reference: string): Promise<string> =>
  (
    await skopeo(
      'inspect',
      '--tls-verify=false',
      '--format',
      '{{.Digest}}',
      `docker://${reference}`
    )
  ).trim()

const verify = (reference: string) =>
  spawnSync(
    process.execPath,
    [
      resolve('dist/cli/index.js'),
      'verify',
      '--key',
      join(keys, 'cosign.pub'),
      reference
    ],
    { encoding: 'utf8' }
  )

describe('several image repositories', () => {
  it('get one image: same digest and tags, mounted on the same registry, copied to another, signed in each', async () => {
    const ws = gitWorkspace({ 'app/hello.txt': 'everywhere\n' })
    const repositories = [
      `${first.host}/acme/app`,
      `${first.host}/mirror/app`,
      `${second.host}/acme/app`
    ]
    const run = runAction(
      {
        image: repositories.join('\n'),
        base: 'scratch',
        layers: 'app:/app',
        tags: 'v1\n{{sha}}',
        'signing-key': readFileSync(join(keys, 'cosign.key'), 'utf8'),
        'signing-key-password': password
      },
      { cwd: ws.dir, env: { GITHUB_SHA: ws.sha } }
    )
    expect(run.stdout).not.toContain('::error')
    expect(run.status).toBe(0)
    const digest = run.outputs.digest
    expect(run.outputs.image).toBe(`${repositories[0]}@${digest}`)
    expect(run.outputs.images.split('\n')).toEqual(
      repositories.map(r => `${r}@${digest}`)
    )
    expect(run.outputs.tags.split('\n')).toEqual(
      repositories.flatMap(r => [`${r}:v1`, `${r}:${ws.sha}`])
    )
    for (const repository of repositories) {
      expect(await digestOf(`${repository}:v1`)).toBe(digest)
      expect(await digestOf(`${repository}:${ws.sha}`)).toBe(digest)
      const verified = verify(`${repository}@${digest}`)
      expect(verified.stdout).toContain('1 of 1 verified')
      expect(verified.status).toBe(0)
    }
    const metadata = JSON.parse(run.outputs.metadata) as {
      mirrors: { repository: string; uploadedBytes: number }[]
      upload: { uploadedBytes: number }
    }
    // The same registry mounts from the primary repository; the other registry gets the bytes.
    const [sameRegistry, otherRegistry] = metadata.mirrors
    expect(sameRegistry.repository).toBe(repositories[1])
    expect(sameRegistry.uploadedBytes).toBe(0)
    expect(otherRegistry.repository).toBe(repositories[2])
    expect(otherRegistry.uploadedBytes).toBe(metadata.upload.uploadedBytes)
    expect(run.summary).toContain(`uploaded to <code>${repositories[2]}</code>`)
  })

  it('write nothing anywhere when one repository holds another image under a tag', async () => {
    const ws = gitWorkspace({ 'app/hello.txt': 'first\n' })
    const taken = gitWorkspace({ 'app/hello.txt': 'someone else\n' })
    const blocked = runAction(
      {
        image: `${second.host}/taken/app`,
        base: 'scratch',
        layers: 'app:/app',
        tags: 'stable'
      },
      { cwd: taken.dir, env: { GITHUB_SHA: taken.sha } }
    )
    expect(blocked.status).toBe(0)
    const run = runAction(
      {
        image: `${first.host}/clean/app\n${second.host}/taken/app`,
        base: 'scratch',
        layers: 'app:/app',
        tags: 'stable'
      },
      { cwd: ws.dir, env: { GITHUB_SHA: ws.sha } }
    )
    expect(run.status).toBe(1)
    const errors = run.stdout.split('\n').filter(l => l.startsWith('::error'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(
      `${second.host}/taken/app:stable already points at`
    )
    expect(await catalog(first)).not.toContain('clean/app')
    expect(await digestOf(`${second.host}/taken/app:stable`)).toBe(
      blocked.outputs.digest
    )
  })

  it('refuses the same repository twice', () => {
    const ws = gitWorkspace({ 'app/hello.txt': 'x\n' })
    const run = runAction(
      {
        image: `${first.host}/acme/twice\n${first.host}/acme/twice`,
        base: 'scratch',
        layers: 'app:/app'
      },
      { cwd: ws.dir, env: { GITHUB_SHA: ws.sha } }
    )
    expect(run.status).toBe(1)
    expect(run.stdout).toContain(
      `::error::Input "image": ${first.host}/acme/twice is listed twice`
    )
  })
})
