import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import {
  createServer as createHttpServer,
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse
} from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { requireTool } from './tools'

/** One request as a hostile server saw it: what a client sent is the evidence. */
export interface SeenRequest {
  method: string
  url: string
  headers: IncomingHttpHeaders
}

/** Answers a request itself (returns true) or lets it through to the upstream (false). */
export type Intercept = (
  req: IncomingMessage,
  res: ServerResponse,
  index: number
) => boolean | Promise<boolean>

export interface HostileServer {
  /** `127.0.0.1:PORT` */
  host: string
  port: number
  /** `http://127.0.0.1:PORT` or `https://…` */
  origin: string
  /** Every request received, in order. */
  requests: SeenRequest[]
  close(): Promise<void>
}

export interface HostileOptions {
  /** `127.0.0.1:PORT` of a real registry that requests not intercepted are forwarded to. */
  upstream?: string
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string; cert: string }
  /** The origin clients use for this server, for rewriting upstream `Location` headers. */
  publicOrigin?: string
}

/**
 * A small loopback HTTP(S) server that records every request and answers some of them in
 * hostile ways (redirects, endless or trickling bodies, silence). What it does not intercept is
 * forwarded to `upstream` (a real docker-registry) or answered 404.
 */
export async function startHostileServer(
  intercept: Intercept,
  options: HostileOptions = {}
): Promise<HostileServer> {
  const requests: SeenRequest[] = []
  const sockets = new Set<Socket>()
  let origin = ''
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const index = requests.length
    requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers
    })
    Promise.resolve(intercept(req, res, index))
      .then(handled => {
        if (handled) return
        if (!options.upstream) {
          req.resume()
          res.writeHead(404, { 'content-type': 'application/json' })
          res.end(
            JSON.stringify({ errors: [{ code: 'NOT_FOUND', message: '' }] })
          )
          return
        }
        forward(req, res, options.upstream, options.publicOrigin ?? origin)
      })
      .catch(() => res.destroy())
  }
  const server: Server = options.tls
    ? createHttpsServer(options.tls, handler)
    : createHttpServer(handler)
  // Raw connections (under TLS too): closing destroys them, hanging or trickling ones included.
  server.on('connection', socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`
  return {
    host: `127.0.0.1:${port}`,
    port,
    origin,
    requests,
    close: () =>
      new Promise(resolve => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: string,
  publicOrigin: string
): void {
  const [hostname, port] = upstream.split(':')
  const out = request(
    {
      hostname,
      port: Number(port),
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: upstream }
    },
    upstreamRes => {
      const headers = { ...upstreamRes.headers }
      if (headers.location)
        headers.location = headers.location.replace(
          `http://${upstream}`,
          publicOrigin
        )
      res.writeHead(upstreamRes.statusCode ?? 502, headers)
      upstreamRes.pipe(res)
    }
  )
  out.on('error', () => res.destroy())
  req.pipe(out)
}

/** Every header value and the URL of a request, as one string to search for leaked secrets. */
export function requestText(seen: SeenRequest): string {
  return [
    `${seen.method} ${seen.url}`,
    ...Object.entries(seen.headers).map(([k, v]) => `${k}: ${String(v)}`)
  ].join('\n')
}

/** The forms a `username:password` credential travels in: as given, and Basic-encoded. */
export function secretForms(username: string, password: string): string[] {
  return [
    password,
    Buffer.from(`${username}:${password}`).toString('base64'),
    encodeURIComponent(password)
  ]
}

/** Writes `chunk` again and again, as fast as the client reads, until the connection closes. */
export function endless(res: ServerResponse, chunk: Buffer | string): void {
  const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)
  let open = true
  res.on('close', () => (open = false))
  const pump = (): void => {
    while (open && res.write(data));
    if (open) res.once('drain', pump)
  }
  pump()
}

/** Writes one byte of `body` every `intervalMs`, never finishing within any sane deadline. */
export function trickle(
  res: ServerResponse,
  body: string,
  intervalMs: number
): void {
  let i = 0
  const timer = setInterval(() => {
    if (i >= body.length) i = 0
    res.write(body[i++])
  }, intervalMs)
  res.on('close', () => clearInterval(timer))
}

export interface CertificateAuthority {
  /** PEM file of the CA, for `NODE_EXTRA_CA_CERTS`. */
  caPath: string
  key: string
  cert: string
}

/**
 * A throw-away CA (made with openssl) and a server certificate it signed for `names` and
 * 127.0.0.1, so that the action, started with `NODE_EXTRA_CA_CERTS`, trusts a hostile server.
 */
export function certificateAuthority(names: string[]): CertificateAuthority {
  const openssl = requireTool('openssl')
  const dir = mkdtempSync(join(tmpdir(), 'imprint-ca-'))
  const p = (name: string): string => join(dir, name)
  const curve = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1']
  execFileSync(
    openssl,
    [
      'req',
      '-x509',
      ...curve,
      '-nodes',
      '-keyout',
      p('ca.key'),
      '-out',
      p('ca.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=imprint hostile test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign'
    ],
    { stdio: 'ignore' }
  )
  execFileSync(
    openssl,
    [
      'req',
      ...curve,
      '-nodes',
      '-keyout',
      p('server.key'),
      '-out',
      p('server.csr'),
      '-subj',
      `/CN=${names[0]}`
    ],
    { stdio: 'ignore' }
  )
  writeFileSync(
    p('ext.cnf'),
    `basicConstraints=CA:FALSE
keyUsage=digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=${[...names.map(n => `DNS:${n}`), 'IP:127.0.0.1'].join(',')}
`
  )
  execFileSync(
    openssl,
    [
      'x509',
      '-req',
      '-in',
      p('server.csr'),
      '-CA',
      p('ca.pem'),
      '-CAkey',
      p('ca.key'),
      '-CAcreateserial',
      '-out',
      p('server.pem'),
      '-days',
      '2',
      '-extfile',
      p('ext.cnf')
    ],
    { stdio: 'ignore' }
  )
  return {
    caPath: p('ca.pem'),
    key: readFileSync(p('server.key'), 'utf8'),
    cert: readFileSync(p('server.pem'), 'utf8')
  }
}

export interface TunnelProxy {
  /** `http://127.0.0.1:PORT`, for `HTTP_PROXY` / `HTTPS_PROXY`. */
  url: string
  /** Every `host:port` a client asked to reach, in order. */
  connects: string[]
  close(): Promise<void>
}

/**
 * A forward proxy that gives made-up host names to loopback servers: `CONNECT name:port` is
 * tunnelled to the local port `routes` maps it to (anything else is refused). With
 * `NODE_USE_ENV_PROXY=1` and `HTTPS_PROXY`, the action reaches `https://registry.hostile.test`
 * (not a loopback name, so it insists on TLS) without any DNS or /etc/hosts entry.
 */
export async function startTunnelProxy(
  routes: Record<string, number>
): Promise<TunnelProxy> {
  const connects: string[] = []
  const sockets = new Set<Socket>()
  const server = createHttpServer((req, res) => {
    // A proxy client that does not tunnel plain http sends the absolute URL instead.
    const url = new URL(req.url ?? '/', 'http://unknown')
    const target = routes[`${url.hostname}:${url.port || '80'}`]
    connects.push(`${url.hostname}:${url.port || '80'}`)
    if (!target) {
      res.writeHead(502).end()
      return
    }
    const out = request(
      {
        hostname: '127.0.0.1',
        port: target,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers: req.headers
      },
      r => {
        res.writeHead(r.statusCode ?? 502, r.headers)
        r.pipe(res)
      }
    )
    out.on('error', () => res.destroy())
    req.pipe(out)
  })
  server.on('connect', (req, client: Socket, head: Buffer) => {
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    const name = req.url ?? ''
    connects.push(name)
    const port = routes[name]
    if (!port) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n')
      return
    }
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on('close', () => sockets.delete(upstream))
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connects,
    close: () =>
      new Promise(resolve => {
        for (const socket of sockets) socket.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** The environment that sends the action's HTTP(S) through `proxy`, trusting `ca`. */
export function proxiedEnvironment(
  proxy: TunnelProxy,
  ca?: CertificateAuthority
): Record<string, string> {
  return {
    NODE_USE_ENV_PROXY: '1',
    HTTP_PROXY: proxy.url,
    HTTPS_PROXY: proxy.url,
    http_proxy: proxy.url,
    https_proxy: proxy.url,
    NO_PROXY: '',
    no_proxy: '',
    ...(ca ? { NODE_EXTRA_CA_CERTS: ca.caPath } : {})
  }
}
