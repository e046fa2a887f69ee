import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import {
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import bcrypt from 'bcryptjs'
import { requireTool } from './tools'

export interface TestRegistry {
  /** `127.0.0.1:PORT` */
  host: string
  stop(): Promise<void>
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        resolve(typeof address === 'object' && address ? address.port : 0)
      )
    })
  })
}

export interface RegistryOptions {
  /** Basic auth with this one user. */
  htpasswd?: { username: string; password: string }
  /** Bearer token auth: distribution checks tokens signed by the key of this certificate. */
  token?: {
    realm: string
    service: string
    issuer: string
    certificatePath: string
  }
}

/** Starts Debian's `docker-registry` (CNCF distribution) on a free loopback port. */
export async function startRegistry(
  options: RegistryOptions = {}
): Promise<TestRegistry> {
  const binary = requireTool('docker-registry')
  const dir = mkdtempSync(join(tmpdir(), 'imprint-registry-'))
  const port = await freePort()
  let auth = ''
  if (options.htpasswd) {
    const file = join(dir, 'htpasswd')
    writeFileSync(
      file,
      `${options.htpasswd.username}:${bcrypt.hashSync(options.htpasswd.password, 8)}\n`
    )
    auth = `auth:\n  htpasswd:\n    realm: imprint-test\n    path: ${file}\n`
  } else if (options.token) {
    const t = options.token
    auth = `auth:\n  token:\n    realm: ${t.realm}\n    service: ${t.service}\n    issuer: ${t.issuer}\n    rootcertbundle: ${t.certificatePath}\n`
  }
  const config = join(dir, 'config.yml')
  writeFileSync(
    config,
    `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(dir, 'data')}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
${auth}`
  )
  // A file, not a pipe: tests block in spawnSync while the registry logs, and a full pipe would stall it.
  const logPath = join(dir, 'registry.log')
  const child: ChildProcess = spawn(binary, ['serve', config], {
    stdio: ['ignore', 'ignore', openSync(logPath, 'w')]
  })
  const stderr = (): string => readFileSync(logPath, 'utf8')
  const host = `127.0.0.1:${port}`
  const deadline = Date.now() + 15000
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`docker-registry exited: ${stderr()}`)
    try {
      const res = await fetch(`http://${host}/v2/`)
      await res.body?.cancel()
      if (res.status === 200 || res.status === 401) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`docker-registry did not start: ${stderr()}`)
    await new Promise(r => setTimeout(r, 50))
  }
  return {
    host,
    stop: async () => {
      child.kill('SIGTERM')
      await new Promise(r =>
        child.exitCode !== null ? r(null) : child.once('exit', r)
      )
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** The repositories a registry holds (distribution's `_catalog`), to prove nothing was pushed. */
export async function catalog(registry: TestRegistry): Promise<string[]> {
  const res = await fetch(`http://${registry.host}/v2/_catalog`)
  return ((await res.json()) as { repositories: string[] }).repositories
}

/** A blob's bytes, read straight from the registry's API (no client of ours in between). */
export async function readBlob(
  registry: TestRegistry,
  repo: string,
  digest: string
): Promise<Buffer> {
  const res = await fetch(`http://${registry.host}/v2/${repo}/blobs/${digest}`)
  if (res.status !== 200) throw new Error(`GET blob ${digest}: ${res.status}`)
  return Buffer.from(await res.arrayBuffer())
}
