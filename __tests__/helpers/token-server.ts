import { execFileSync } from 'node:child_process'
import { sign as cryptoSign, randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync } from 'node:fs'
import {
  createServer,
  type IncomingMessage,
  type ServerResponse
} from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { requireTool } from './tools'

export interface TokenServer {
  realm: string
  service: string
  issuer: string
  certificatePath: string
  /** The scopes of every token request, as sent. */
  requests: { scopes: string[]; user?: string }[]
  close(): Promise<void>
}

const b64url = (data: Buffer | string): string =>
  Buffer.from(data).toString('base64url')

/**
 * A Docker token service (the `auth.token` realm of distribution, per the "Token Authentication
 * Specification"): checks Basic credentials and issues ES256 JWTs whose `x5c` chain the registry
 * verifies against `certificatePath`. It grants pull and push on every requested repository.
 */
export async function startTokenServer(user: {
  username: string
  password: string
}): Promise<TokenServer> {
  const dir = mkdtempSync(join(tmpdir(), 'imprint-token-'))
  const keyPath = join(dir, 'key.pem')
  const certificatePath = join(dir, 'cert.pem')
  execFileSync(
    requireTool('openssl'),
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certificatePath,
      '-days',
      '1',
      '-subj',
      '/CN=imprint-test-token-issuer'
    ],
    { stdio: 'ignore' }
  )
  const key = readFileSync(keyPath)
  const certDer = readFileSync(certificatePath, 'utf8').replace(
    /-----[A-Z ]+-----|\s/g,
    ''
  )
  const service = 'imprint-test-registry'
  const issuer = 'imprint-test-issuer'
  const requests: TokenServer['requests'] = []

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const scopes = url.searchParams.getAll('scope')
    const header = req.headers.authorization ?? ''
    let username: string | undefined
    if (header.startsWith('Basic ')) {
      const [u, ...p] = Buffer.from(header.slice(6), 'base64')
        .toString('utf8')
        .split(':')
      if (u !== user.username || p.join(':') !== user.password) {
        res.writeHead(401, { 'content-type': 'application/json' })
        res.end(
          JSON.stringify({
            errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }]
          })
        )
        return
      }
      username = u
    }
    requests.push({ scopes, user: username })
    const now = Math.floor(Date.now() / 1000)
    const access = username
      ? scopes.map(scope => {
          const [type, name, actions] = scope.split(':')
          return { type, name, actions: actions.split(',') }
        })
      : []
    const head = b64url(
      JSON.stringify({ typ: 'JWT', alg: 'ES256', x5c: [certDer] })
    )
    const claims = b64url(
      JSON.stringify({
        iss: issuer,
        sub: username ?? '',
        aud: service,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomUUID(),
        access
      })
    )
    const signature = cryptoSign('sha256', Buffer.from(`${head}.${claims}`), {
      key,
      dsaEncoding: 'ieee-p1363'
    })
    const token = `${head}.${claims}.${b64url(signature)}`
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify({
        token,
        access_token: token,
        expires_in: 300,
        issued_at: new Date().toISOString()
      })
    )
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const realm = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`
  return {
    realm,
    service,
    issuer,
    certificatePath,
    requests,
    close: () => new Promise(resolve => server.close(() => resolve()))
  }
}
