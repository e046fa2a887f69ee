// Issue #14, "credentials": registry credentials go only where the registry's own challenge
// sends them, never over plain HTTP from an HTTPS registry, and never into the log, the job
// summary or the outputs, in any encoding. The registries here are hostile servers of ours on
// loopback, some in front of a real docker-registry.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { errorLines, runActionAsync, type ActionRun } from '../helpers/action'
import {
  certificateAuthority,
  proxiedEnvironment,
  requestText,
  secretForms,
  startHostileServer,
  startTunnelProxy,
  type HostileServer
} from '../helpers/hostile'
import { startRegistry, type TestRegistry } from '../helpers/registry'
import { startTokenServer, type TokenServer } from '../helpers/token-server'
import { gitWorkspace } from '../helpers/workspace'

const user = { username: 'ci-bot', password: 'Pa55-word/that+must=stay:secret' }
const app = { 'app/hello.txt': 'hello\n' }

/** The requests a server received that carry any form of `secrets`. */
function leaks(server: HostileServer, secrets: string[]): string[] {
  return server.requests
    .map(requestText)
    .filter(text => secrets.some(secret => text.includes(secret)))
}

/**
 * Where a secret shows in what a run leaves behind. `::add-mask::` lines are the exception: the
 * runner swallows them and masks the value everywhere else.
 */
function exposures(run: ActionRun, secrets: string[]): string[] {
  const found: string[] = []
  const lines = `${run.stdout}\n${run.stderr}`.split('\n')
  for (const secret of secrets) {
    for (const line of lines)
      if (!line.startsWith('::add-mask::') && line.includes(secret))
        found.push(`log: ${line}`)
    if (run.summary.includes(secret)) found.push(`summary contains ${secret}`)
    for (const [name, value] of Object.entries(run.outputs))
      if (value.includes(secret)) found.push(`output ${name}`)
  }
  return found
}

/** The values a run asked the runner to mask. */
function masked(run: ActionRun): string[] {
  return run.stdout
    .split('\n')
    .filter(line => line.startsWith('::add-mask::'))
    .map(line => line.slice('::add-mask::'.length))
}

const basic = Buffer.from(`${user.username}:${user.password}`).toString(
  'base64'
)

describe('finding 7: a blob HEAD redirected to a storage host with its own Bearer realm', () => {
  let registry: TestRegistry
  let storage: HostileServer
  let front: HostileServer
  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: user })
    // Storage answers everything with a challenge of its own; its realm hands out tokens.
    storage = await startHostileServer((req, res) => {
      req.resume()
      if (req.url?.startsWith('/token')) {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end('{"token":"storage-token","access_token":"storage-token"}')
        return true
      }
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="${storage.origin}/token",service="storage"`,
        'content-type': 'application/json'
      })
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"storage"}]}')
      return true
    })
    front = await startHostileServer(
      (req, res) => {
        if (req.method !== 'HEAD' || !/\/blobs\/sha256:/.test(req.url ?? ''))
          return false
        req.resume()
        res.writeHead(307, { location: `${storage.origin}/storage${req.url}` })
        res.end()
        return true
      },
      { upstream: registry.host }
    )
  })
  afterAll(async () => {
    await front?.close()
    await storage?.close()
    await registry?.stop()
  })

  it("never sends the registry's Basic credentials to the redirect target's realm", async () => {
    const ws = gitWorkspace(app)
    const run = await runActionAsync(
      {
        image: `${front.host}/acme/redirected`,
        base: 'scratch',
        layers: 'app:/app',
        username: user.username,
        password: user.password
      },
      { cwd: ws.dir, env: { GITHUB_SHA: ws.sha } }
    )
    // The registry itself was asked with credentials: the scenario took place.
    expect(
      front.requests.some(r =>
        String(r.headers.authorization).startsWith('Basic ')
      )
    ).toBe(true)
    expect(leaks(storage, secretForms(user.username, user.password))).toEqual(
      []
    )
    // Whatever the run makes of the foreign challenge, a failure is one line.
    expect(errorLines(run).length).toBe(run.status === 0 ? 0 : 1)
  })
})

describe('finding 8: an HTTPS registry whose token realm is plain http://', () => {
  const names = ['registry.hostile.test']
  let realm: HostileServer
  let registry: HostileServer
  let ca: ReturnType<typeof certificateAuthority>
  beforeAll(async () => {
    ca = certificateAuthority(names)
    realm = await startHostileServer((req, res) => {
      req.resume()
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"token":"plain-token","access_token":"plain-token"}')
      return true
    })
    registry = await startHostileServer(
      (req, res) => {
        req.resume()
        res.writeHead(401, {
          'www-authenticate':
            'Bearer realm="http://realm.hostile.test/token",service="hostile"',
          'content-type': 'application/json'
        })
        res.end('{"errors":[{"code":"UNAUTHORIZED","message":"token"}]}')
        return true
      },
      { tls: ca }
    )
  })
  afterAll(async () => {
    await registry?.close()
    await realm?.close()
  })

  it('refuses to send the password over plain HTTP, with one error naming the realm', async () => {
    // registry.hostile.test is not a loopback name, so the action speaks TLS to it; the proxy
    // routes both made-up names to the loopback servers above.
    const proxy = await startTunnelProxy({
      'registry.hostile.test:443': registry.port,
      'realm.hostile.test:80': realm.port
    })
    try {
      const ws = gitWorkspace(app)
      const run = await runActionAsync(
        {
          image: 'registry.hostile.test/acme/app',
          base: 'scratch',
          layers: 'app:/app',
          username: user.username,
          password: user.password
        },
        {
          cwd: ws.dir,
          env: { GITHUB_SHA: ws.sha, ...proxiedEnvironment(proxy, ca) }
        }
      )
      // TLS to the registry worked (the CA was trusted): the scenario took place.
      expect(registry.requests.length).toBeGreaterThan(0)
      expect(leaks(realm, secretForms(user.username, user.password))).toEqual(
        []
      )
      expect(run.status).toBe(1)
      const errors = errorLines(run)
      expect(errors).toHaveLength(1)
      expect(errors[0]).toContain('realm.hostile.test')
    } finally {
      await proxy.close()
    }
  })
})

describe('finding 9: a registry error page that echoes the request headers', () => {
  /**
   * Answers every upload with an error that shows what the client sent: an HTML page, or an
   * OCI error whose message holds the headers.
   */
  const echoing = (upstream: string, format: 'html' | 'json') =>
    startHostileServer(
      (req, res) => {
        if (req.method !== 'POST' || !req.url?.includes('/blobs/uploads/'))
          return false
        req.resume()
        const { authorization, ...rest } = req.headers
        const headers = Object.entries({ authorization, ...rest })
          .map(([k, v]) => `${k}: ${String(v)}`)
          .join('\n')
        if (format === 'html') {
          res.writeHead(400, { 'content-type': 'text/html' })
          res.end(`${headers}\n<html><body>Bad request</body></html>`)
        } else {
          res.writeHead(400, { 'content-type': 'application/json' })
          res.end(
            JSON.stringify({
              errors: [{ code: 'DENIED', message: `request was: ${headers}` }]
            })
          )
        }
        return true
      },
      { upstream }
    )

  describe('Basic credentials', () => {
    let registry: TestRegistry
    let front: HostileServer
    beforeAll(async () => {
      registry = await startRegistry({ htpasswd: user })
      front = await echoing(registry.host, 'html')
    })
    afterAll(async () => {
      await front?.close()
      await registry?.stop()
    })

    it('neither the password nor base64(user:password) appears in the log, summary or outputs', async () => {
      const ws = gitWorkspace(app)
      const run = await runActionAsync(
        {
          image: `${front.host}/acme/echo`,
          base: 'scratch',
          layers: 'app:/app',
          username: user.username,
          password: user.password
        },
        { cwd: ws.dir, env: { GITHUB_SHA: ws.sha } }
      )
      expect(run.status).toBe(1)
      expect(errorLines(run)).toHaveLength(1)
      expect(exposures(run, secretForms(user.username, user.password))).toEqual(
        []
      )
      // The encoded form is masked too, for anything that still prints it.
      expect(masked(run)).toContain(basic)
    })
  })

  describe('a Bearer token', () => {
    let tokens: TokenServer
    let registry: TestRegistry
    let front: HostileServer
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
      front = await echoing(registry.host, 'json')
    })
    afterAll(async () => {
      await front?.close()
      await registry?.stop()
      await tokens?.close()
    })

    it('the token the registry issued does not appear in the log, summary or outputs', async () => {
      const ws = gitWorkspace(app)
      const run = await runActionAsync(
        {
          image: `${front.host}/acme/echo`,
          base: 'scratch',
          layers: 'app:/app',
          username: user.username,
          password: user.password
        },
        { cwd: ws.dir, env: { GITHUB_SHA: ws.sha } }
      )
      const issued = [
        ...new Set(
          front.requests
            .map(r => String(r.headers.authorization ?? ''))
            .filter(h => h.startsWith('Bearer '))
            .map(h => h.slice('Bearer '.length))
        )
      ]
      expect(issued.length).toBeGreaterThan(0)
      expect(run.status).toBe(1)
      expect(errorLines(run)).toHaveLength(1)
      expect(
        exposures(run, [
          ...issued,
          ...secretForms(user.username, user.password)
        ])
      ).toEqual([])
      // Every token is masked as soon as it is received.
      expect(issued.filter(token => !masked(run).includes(token))).toEqual([])
    })
  })
})

describe('extra: registry text never becomes a workflow command', () => {
  let registry: TestRegistry
  let front: HostileServer
  beforeAll(async () => {
    registry = await startRegistry()
    let answered = false
    // The first upload gets a 503 (retried, and logged as it is) whose body holds workflow
    // commands on lines of their own.
    front = await startHostileServer(
      (req, res) => {
        if (
          answered ||
          req.method !== 'POST' ||
          !req.url?.includes('/blobs/uploads/')
        )
          return false
        answered = true
        req.resume()
        res.writeHead(503, { 'content-type': 'text/plain' })
        res.end(
          'maintenance\n::warning::injected by the registry\n::set-output name=digest::sha256:injected\n::add-mask::hello'
        )
        return true
      },
      { upstream: registry.host }
    )
  })
  afterAll(async () => {
    await front?.close()
    await registry?.stop()
  })

  it('a retried error body with "::" lines is logged without starting a line with them', async () => {
    const ws = gitWorkspace(app)
    const run = await runActionAsync(
      {
        image: `${front.host}/acme/commands`,
        base: 'scratch',
        layers: 'app:/app'
      },
      { cwd: ws.dir, env: { GITHUB_SHA: ws.sha } }
    )
    expect(run.status).toBe(0)
    const injected = run.stdout
      .split('\n')
      .filter(line => /^::[a-z-]+[^:]*::.*(injected|hello)/.test(line))
    expect(injected).toEqual([])
  })
})
