import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  errorLines,
  runAction,
  runActionWatched,
  type ActionRun
} from '../helpers/action'
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

describe('Logins people already have (htpasswd registry)', () => {
  const owner = { username: 'helper-bot', password: 'Helper-Pa55-never-logged' }
  let registry: TestRegistry
  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: owner })
  })
  afterAll(async () => registry?.stop())

  /**
   * A real `docker-credential-imprinttest` on a PATH of its own: it answers the protocol's JSON
   * for the test registry, and records what it was asked in `<bin>/asked`.
   */
  function helperBin(body?: string): string {
    const bin = mkdtempSync(join(tmpdir(), 'imprint-helper-bin-'))
    const script = join(bin, 'docker-credential-imprinttest')
    const answer = JSON.stringify({
      ServerURL: registry.host,
      Username: owner.username,
      Secret: owner.password
    })
    writeFileSync(
      script,
      `#!/bin/sh
[ "$1" = get ] || exit 2
server=$(cat)
printf '%s\\n' "$server" >> "${bin}/asked"
${body ?? `[ "$server" = "${registry.host}" ] || { echo 'credentials not found in native keychain'; exit 1; }\nprintf '%s' '${answer}'`}
`
    )
    chmodSync(script, 0o755)
    return bin
  }

  /** The helper's directory first on the PATH (runAction gives a fresh HOME and runtime dir). */
  function loginEnv(bin: string, extra: Record<string, string>) {
    return { PATH: `${bin}:${process.env.PATH}`, ...extra }
  }

  function dockerConfigWith(content: object): string {
    const dir = mkdtempSync(join(tmpdir(), 'imprint-docker-'))
    writeFileSync(join(dir, 'config.json'), JSON.stringify(content))
    return dir
  }

  /** Lines of the log, the summary and the outputs that show the password or the helper's words. */
  function exposed(run: ActionRun, secrets: string[]): string[] {
    const lines = `${run.stdout}\n${run.stderr}`
      .split('\n')
      .filter(line => !line.startsWith('::add-mask::'))
    return secrets.flatMap(secret => [
      ...lines.filter(line => line.includes(secret)),
      ...(run.summary.includes(secret) ? [`summary: ${secret}`] : []),
      ...Object.entries(run.outputs)
        .filter(([, value]) => value.includes(secret))
        .map(([name]) => `output ${name}`)
    ])
  }

  function pushes(repository: string, env: Record<string, string>): ActionRun {
    const ws = gitWorkspace(app)
    const run = runAction(
      {
        image: `${registry.host}/${repository}`,
        base: 'scratch',
        layers: 'app:/app'
      },
      { cwd: ws.dir, env: { GITHUB_SHA: ws.sha, ...env } }
    )
    expect(errorLines(run)).toEqual([])
    expect(run.status).toBe(0)
    expect(
      skopeoDigest(
        `${registry.host}/${repository}:${ws.sha}`,
        `${owner.username}:${owner.password}`
      )
    ).toBe(run.outputs.digest)
    expect(exposed(run, [owner.password])).toEqual([])
    // The runner is asked to mask the helper's secret.
    expect(run.stdout).toContain(`::add-mask::${owner.password}`)
    return run
  }

  it('(a) asks the helper docker config.json names in credHelpers for the registry', () => {
    const bin = helperBin()
    pushes(
      'acme/cred-helpers',
      loginEnv(bin, {
        DOCKER_CONFIG: dockerConfigWith({
          credHelpers: { [registry.host]: 'imprinttest' }
        })
      })
    )
    // Once per run, however many requests the push made.
    expect(readFileSync(join(bin, 'asked'), 'utf8')).toBe(`${registry.host}\n`)
  })

  it('(b) asks the credsStore, under the server docker login left in auths', () => {
    const bin = helperBin()
    pushes(
      'acme/creds-store',
      loginEnv(bin, {
        DOCKER_CONFIG: dockerConfigWith({
          auths: { [registry.host]: {} },
          credsStore: 'imprinttest'
        })
      })
    )
    expect(readFileSync(join(bin, 'asked'), 'utf8')).toBe(`${registry.host}\n`)
  })

  it('(c) reads the auth.json podman login writes, through REGISTRY_AUTH_FILE', async () => {
    const authFile = join(
      mkdtempSync(join(tmpdir(), 'imprint-podman-')),
      'auth.json'
    )
    await run(requireTool('podman'), [
      'login',
      '--authfile',
      authFile,
      '--tls-verify=false',
      '-u',
      owner.username,
      '-p',
      owner.password,
      registry.host
    ])
    expect(
      Object.keys(JSON.parse(readFileSync(authFile, 'utf8')).auths)
    ).toEqual([registry.host])
    pushes(
      'acme/podman',
      loginEnv(helperBin(), {
        REGISTRY_AUTH_FILE: authFile,
        DOCKER_CONFIG: dockerConfigWith({})
      })
    )
  })

  it('(c) reads $XDG_RUNTIME_DIR/containers/auth.json, the file podman login writes by default, with a namespace key', async () => {
    const runtime = mkdtempSync(join(tmpdir(), 'imprint-runtime-'))
    await run(
      requireTool('podman'),
      [
        'login',
        '--tls-verify=false',
        '-u',
        owner.username,
        '-p',
        owner.password,
        `${registry.host}/acme`
      ],
      { env: { ...process.env, XDG_RUNTIME_DIR: runtime } }
    )
    const authFile = join(runtime, 'containers', 'auth.json')
    expect(
      Object.keys(JSON.parse(readFileSync(authFile, 'utf8')).auths)
    ).toEqual([`${registry.host}/acme`])
    pushes('acme/podman-namespace', {
      ...loginEnv(helperBin(), {}),
      XDG_RUNTIME_DIR: runtime
    })
    // The login is for acme/ only.
    const ws = gitWorkspace(app)
    const other = runAction(
      {
        image: `${registry.host}/other/app`,
        base: 'scratch',
        layers: 'app:/app'
      },
      { cwd: ws.dir, env: { GITHUB_SHA: ws.sha, XDG_RUNTIME_DIR: runtime } }
    )
    expect(other.status).toBe(1)
    expect(errorLines(other)).toEqual([
      expect.stringMatching(
        /^::error::registry 127\.0\.0\.1:\d+ requires credentials/
      )
    ])
  })

  it('stops a helper that hangs: one error naming it, about 10 s later', async () => {
    const bin = helperBin(`sleep 60 & sleep 60`)
    const ws = gitWorkspace(app)
    const result = await runActionWatched(
      {
        image: `${registry.host}/acme/hang`,
        base: 'scratch',
        layers: 'app:/app'
      },
      {
        cwd: ws.dir,
        env: {
          GITHUB_SHA: ws.sha,
          ...loginEnv(bin, {
            DOCKER_CONFIG: dockerConfigWith({
              credHelpers: { [registry.host]: 'imprinttest' }
            })
          })
        },
        deadlineMs: 60000
      }
    )
    expect(result.killed).toBeUndefined()
    expect(result.status).toBe(1)
    // The helper's 10 s and the run's own few seconds; once, not once per request.
    expect(result.elapsedMs).toBeLessThan(16000)
    expect(readFileSync(join(bin, 'asked'), 'utf8')).toBe(`${registry.host}\n`)
    expect(errorLines(result)).toEqual([
      expect.stringMatching(
        /^::error::credential helper docker-credential-imprinttest \(credHelpers\["127\.0\.0\.1:\d+"\] in \/.*config\.json\) did not answer for registry 127\.0\.0\.1:\d+ within 10 s and was stopped$/
      )
    ])
  })

  it.each([
    ['prints garbage', `echo "$SECRET_WORDS not json"`],
    ['fails', `echo "$SECRET_WORDS"; echo "$SECRET_WORDS" >&2; exit 9`]
  ])(
    'a helper that %s: one error naming it, and never its output',
    (what, body) => {
      const words = 'Helper-Printed-Words-xyz'
      const bin = helperBin(
        `SECRET_WORDS='${words} ${owner.password}'\n${body}`
      )
      const ws = gitWorkspace(app)
      const run = runAction(
        {
          image: `${registry.host}/acme/bad-helper`,
          base: 'scratch',
          layers: 'app:/app'
        },
        {
          cwd: ws.dir,
          env: {
            GITHUB_SHA: ws.sha,
            ...loginEnv(bin, {
              DOCKER_CONFIG: dockerConfigWith({ credsStore: 'imprinttest' })
            })
          }
        }
      )
      expect(run.status).toBe(1)
      expect(errorLines(run)).toEqual([
        expect.stringMatching(
          what === 'fails'
            ? /^::error::credential helper docker-credential-imprinttest \(credsStore in \/.*config\.json\) failed for registry 127\.0\.0\.1:\d+ \(exit status 9\); its output is not shown, as it may hold a secret$/
            : /^::error::credential helper docker-credential-imprinttest \(credsStore in \/.*config\.json\) answered for registry 127\.0\.0\.1:\d+ with something other than the credential JSON/
        )
      ])
      expect(exposed(run, [words, owner.password])).toEqual([])
      expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /)
    }
  )
})
