import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { runAction } from '../helpers/action'
import { pushBusyboxBase } from '../helpers/busybox-base'
import { build } from '../helpers/pipeline'
import { startRegistry, type TestRegistry } from '../helpers/registry'
import { startTokenServer, type TokenServer } from '../helpers/token-server'
import { requireTool } from '../helpers/tools'
import { gitWorkspace } from '../helpers/workspace'

const user = { username: 'ci-bot', password: 's3cr3t-Pa55word-xyz' }
const app = { 'app/hello.txt': 'hello\n' }
const run = promisify(execFile)

/** skopeo run asynchronously, for registries whose token service lives in this process. */
async function skopeoDigestAsync(
  reference: string,
  creds: string
): Promise<string> {
  const { stdout } = await run(requireTool('skopeo'), [
    'inspect',
    '--tls-verify=false',
    '--creds',
    creds,
    '--format',
    '{{.Digest}}',
    `docker://${reference}`
  ])
  return stdout.trim()
}

function skopeoDigest(reference: string, creds: string): string {
  return execFileSync(
    requireTool('skopeo'),
    [
      'inspect',
      '--tls-verify=false',
      '--creds',
      creds,
      '--format',
      '{{.Digest}}',
      `docker://${reference}`
    ],
    {
      encoding: 'utf8'
    }
  ).trim()
}

describe('Basic auth (htpasswd)', () => {
  let registry: TestRegistry
  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: user })
  })
  afterAll(async () => registry?.stop())

  it('pushes with the username and password inputs', () => {
    const ws = gitWorkspace(app)
    const run = runAction(
      {
        image: `${registry.host}/acme/basic`,
        base: 'scratch',
        layers: 'app:/app',
        username: user.username,
        password: user.password
      },
      { cwd: ws.dir, env: { GITHUB_SHA: ws.sha } }
    )
    expect(run.status).toBe(0)
    expect(
      skopeoDigest(
        `${registry.host}/acme/basic:${ws.sha}`,
        `${user.username}:${user.password}`
      )
    ).toBe(run.outputs.digest)
  })

  it('reads credentials from the docker config.json docker/login-action writes', async () => {
    const dockerConfig = mkdtempSync(join(tmpdir(), 'imprint-docker-'))
    writeFileSync(
      join(dockerConfig, 'config.json'),
      JSON.stringify({
        auths: {
          [registry.host]: {
            auth: Buffer.from(`${user.username}:${user.password}`).toString(
              'base64'
            )
          }
        }
      })
    )
    const ws = gitWorkspace(app)
    const run = runAction(
      {
        image: `${registry.host}/acme/config`,
        base: 'scratch',
        layers: 'app:/app'
      },
      { cwd: ws.dir, env: { GITHUB_SHA: ws.sha, DOCKER_CONFIG: dockerConfig } }
    )
    expect(run.status).toBe(0)
    expect(
      skopeoDigest(
        `${registry.host}/acme/config:${ws.sha}`,
        `${user.username}:${user.password}`
      )
    ).toBe(run.outputs.digest)
  })

  it('fails with one clear error naming the input on a wrong password, and never logs it', () => {
    const ws = gitWorkspace(app)
    const wrong = 'wrong-Pa55word-that-must-not-leak'
    const run = runAction(
      {
        image: `${registry.host}/acme/denied`,
        base: 'scratch',
        layers: 'app:/app',
        username: user.username,
        password: wrong
      },
      { cwd: ws.dir, env: { GITHUB_SHA: ws.sha } }
    )
    expect(run.status).toBe(1)
    const errors = run.stdout.split('\n').filter(l => l.startsWith('::error'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(
      /^::error::Input "password": registry 127\.0\.0\.1:\d+ rejected the credentials from the username and password inputs/
    )
    // The runner swallows ::add-mask:: and masks the value everywhere else; nothing else may carry it.
    const lines = (run.stdout + run.stderr).split('\n')
    expect(lines).toContain(`::add-mask::${wrong}`)
    expect(
      lines.filter(l => !l.startsWith('::add-mask::') && l.includes(wrong))
    ).toEqual([])
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /)
    expect(run.outputs.digest).toMatch(/^sha256:/)
  })

  it('says how to log in when no credentials are given', async () => {
    const ws = gitWorkspace(app)
    await expect(
      build({
        image: `${registry.host}/acme/anon`,
        base: 'scratch',
        layers: 'app:/app',
        'working-directory': ws.dir,
        tags: 'x'
      })
    ).rejects.toThrow(
      /requires credentials .*set the username and password inputs or log in with docker\/login-action/
    )
  })
})

describe('Bearer token auth', () => {
  let tokens: TokenServer
  let registry: TestRegistry
  beforeAll(async () => {
    tokens = await startTokenServer(user)
    registry = await startRegistry({
      token: {
        realm: tokens.realm,
        service: tokens.service,
        issuer: tokens.issuer,
        certificatePath: tokens.certificatePath
      }
    })
  })
  afterAll(async () => {
    await registry?.stop()
    await tokens?.close()
  })

  it('gets tokens with the right scopes, mounts the base from its repository, and pushes', async () => {
    const creds = `${user.username}:${user.password}`
    const dir = mkdtempSync(join(tmpdir(), 'imprint-skopeo-auth-'))
    mkdirSync(dir, { recursive: true })
    // skopeo (not our code) pushes the base through the same token service.
    process.env.REGISTRY_AUTH_FILE = join(dir, 'auth.json')
    await run(requireTool('skopeo'), [
      'login',
      '--tls-verify=false',
      '-u',
      user.username,
      '-p',
      user.password,
      registry.host
    ])
    await pushBusyboxBase(`${registry.host}/base/busybox:1`)
    delete process.env.REGISTRY_AUTH_FILE
    tokens.requests.length = 0

    const ws = gitWorkspace(app)
    const result = await build({
      image: `${registry.host}/acme/bearer`,
      base: `${registry.host}/base/busybox:1`,
      layers: 'app:/app',
      username: user.username,
      password: user.password,
      'working-directory': ws.dir,
      tags: 'v1'
    })
    expect(
      await skopeoDigestAsync(`${registry.host}/acme/bearer:v1`, creds)
    ).toBe(result.digest)
    const scopes = tokens.requests.flatMap(r => r.scopes)
    expect(scopes).toContain('repository:base/busybox:pull')
    expect(scopes).toContain('repository:acme/bearer:pull,push')
    expect(tokens.requests.every(r => r.user === user.username)).toBe(true)
    expect(
      result.push?.blobs.find(
        b => b.digest === result.platforms[0].layers[0].digest
      )?.outcome
    ).toBe('mounted')
  })

  it('rejects a wrong password at the token service with an authentication error', async () => {
    const ws = gitWorkspace(app)
    await expect(
      build({
        image: `${registry.host}/acme/bearer`,
        base: 'scratch',
        layers: 'app:/app',
        username: user.username,
        password: 'nope',
        'working-directory': ws.dir,
        tags: 'v2'
      })
    ).rejects.toThrow(
      /rejected the credentials from the username and password inputs/
    )
  })
})
