import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { Registry, Repository } from '../oci/reference'
import { helperGet, type HelperAnswer } from './credential-helper'

/** What a registry is logged in with. `identityToken` is an OAuth2 refresh token (docker config). */
export interface Credential {
  username: string
  password: string
  identityToken?: string
  /**
   * Where it came from, for messages: `the username and password inputs`,
   * `auths["quay.io"] in /home/u/.docker/config.json`,
   * `docker-credential-gcloud (credHelpers["gcr.io"] in …)`, `the github-token input`.
   */
  origin: string
}

/** Finds the credential for a registry, like go-containerregistry's `authn.Keychain`. */
export interface Keychain {
  resolve(registry: Registry): Promise<Credential | undefined>
}

export interface KeychainOptions {
  /** `username`/`password` inputs: they apply to the target image's registry. */
  explicit?: { registry: Registry; username: string; password: string }
  dockerConfigDir?: string
  /**
   * The front end's environment: `DOCKER_CONFIG`, `HOME`, `REGISTRY_AUTH_FILE`,
   * `XDG_RUNTIME_DIR`, `XDG_CONFIG_HOME`, and `PATH` for credential helpers.
   */
  env: NodeJS.ProcessEnv
  githubToken?: string
  githubActor?: string
  /**
   * The repositories this run reads and writes, the image's first: a containers auth.json key
   * may name a namespace (`quay.io/acme`), and the most specific key for the first of these a
   * registry hosts wins.
   */
  repositories?: Repository[]
  /** How long a credential helper may take to answer (10 s). */
  helperTimeoutMs?: number
  /** The user whose `/run/containers/<uid>/auth.json` is read when `XDG_RUNTIME_DIR` is unset. */
  uid?: number
}

interface AuthEntry {
  auth?: string
  username?: string
  password?: string
  identitytoken?: string
}

/** A Docker config.json or a containers auth.json: the same `auths` and `credHelpers`. */
interface AuthFile {
  path: string
  auths: Record<string, AuthEntry>
  credHelpers: Record<string, string>
  credsStore?: string
}

const dockerHubAliases = [
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io'
]
/** The server Docker logs in to and asks helpers about for Docker Hub. */
const dockerHubServer = 'https://index.docker.io/v1/'

/** `https://index.docker.io/v1/` → `index.docker.io`; `quay.io/acme` → `quay.io`. */
function keyHost(key: string): string {
  return key.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '')
}

function sameHost(host: string, registry: Registry): boolean {
  return registry.name === 'docker.io'
    ? dockerHubAliases.includes(host)
    : host === registry.name
}

function sameRegistry(key: string, registry: Registry): boolean {
  return sameHost(keyHost(key), registry)
}

/** The credential an `auths` entry holds, if it holds one (`{}` is a credential store's placeholder). */
function entryCredential(
  entry: AuthEntry,
  origin: string
): Credential | undefined {
  if (entry.identitytoken) {
    return {
      username: entry.username ?? '<token>',
      password: '',
      identityToken: entry.identitytoken,
      origin
    }
  }
  if (entry.username && entry.password) {
    return { username: entry.username, password: entry.password, origin }
  }
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon > 0) {
      return {
        username: decoded.slice(0, colon),
        password: decoded.slice(colon + 1),
        origin
      }
    }
  }
  return undefined
}

/** A helper's answer as a credential: the username `<token>` means the secret is an identity token. */
function helperCredential(
  answer: HelperAnswer | undefined,
  origin: string
): Credential | undefined {
  if (!answer) return undefined
  if (answer.username === '<token>') {
    return {
      username: answer.username,
      password: '',
      identityToken: answer.secret,
      origin
    }
  }
  return { username: answer.username, password: answer.secret, origin }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Reads a config.json or auth.json; undefined when there is none. */
async function readAuthFile(path: string): Promise<AuthFile | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw new Error(
      `cannot read the registry credentials in ${path} (${code ?? (error as Error).message})`
    )
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    // Not JSON.parse's message: it quotes the file, which holds credentials.
    parsed = undefined
  }
  if (!isRecord(parsed)) {
    throw new Error(
      `${path} is not a JSON object of registry credentials; fix or remove it`
    )
  }
  const auths = isRecord(parsed.auths)
    ? (Object.fromEntries(
        Object.entries(parsed.auths).filter(([, v]) => isRecord(v))
      ) as Record<string, AuthEntry>)
    : {}
  const credHelpers = isRecord(parsed.credHelpers)
    ? (Object.fromEntries(
        Object.entries(parsed.credHelpers).filter(
          ([, v]) => typeof v === 'string' && v !== ''
        )
      ) as Record<string, string>)
    : {}
  const credsStore =
    typeof parsed.credsStore === 'string' && parsed.credsStore
      ? parsed.credsStore
      : undefined
  return { path, auths, credHelpers, credsStore }
}

/**
 * The containers auth.json files in the order podman, skopeo and buildah read them:
 * `REGISTRY_AUTH_FILE` (their `--authfile`), the primary file `$XDG_RUNTIME_DIR/containers/auth.json`
 * (`/run/containers/<uid>/auth.json` without `XDG_RUNTIME_DIR`), then
 * `$XDG_CONFIG_HOME/containers/auth.json` (`~/.config/containers/auth.json`).
 */
function containersAuthFiles(options: KeychainOptions, home: string): string[] {
  const { env } = options
  const uid = options.uid ?? process.getuid?.()
  const files = [
    env.REGISTRY_AUTH_FILE,
    env.XDG_RUNTIME_DIR
      ? join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json')
      : uid !== undefined
        ? join('/run/containers', String(uid), 'auth.json')
        : undefined,
    join(
      env.XDG_CONFIG_HOME || join(home, '.config'),
      'containers',
      'auth.json'
    )
  ]
  return files.filter(
    (file, i): file is string => !!file && files.indexOf(file) === i
  )
}

/**
 * The credential of the most specific `auths` key of a containers auth.json for a repository:
 * `quay.io/acme/api`, then `quay.io/acme`, then `quay.io` (containers-auth.json(5)). A key with a
 * scheme is Docker's form, whose path is no namespace.
 */
function containersAuths(
  file: AuthFile,
  registry: Registry,
  path: string | undefined
): Credential | undefined {
  let best: Credential | undefined
  let bestLength = -1
  for (const [key, entry] of Object.entries(file.auths)) {
    const bare = key.replace(/^https?:\/\//, '')
    const slash = bare.indexOf('/')
    const host = slash < 0 ? bare : bare.slice(0, slash)
    const namespace =
      slash < 0 || bare !== key ? '' : bare.slice(slash + 1).replace(/\/$/, '')
    if (!sameHost(host, registry) || namespace.length <= bestLength) continue
    if (
      namespace &&
      !(path && (path === namespace || path.startsWith(`${namespace}/`)))
    )
      continue
    const credential = entryCredential(entry, `auths["${key}"] in ${file.path}`)
    if (credential) {
      best = credential
      bestLength = namespace.length
    }
  }
  return best
}

/**
 * Inputs first; then Docker's config.json (what docker/login-action writes): the registry's
 * `credHelpers` entry, else an `auths` entry, else the `credsStore`; then the containers
 * auth.json files (what podman, skopeo and buildah logins write), each its `credHelpers` entry
 * else its most specific `auths` key; then ghcr.io with the GitHub token. Each registry is
 * resolved once, so a helper runs at most once per registry.
 */
export function defaultKeychain(options: KeychainOptions): Keychain {
  const { env } = options
  const home = env.HOME || homedir()
  const timeoutMs = options.helperTimeoutMs ?? 10_000
  const files = new Map<string, Promise<AuthFile | undefined>>()
  const load = (path: string): Promise<AuthFile | undefined> => {
    let file = files.get(path)
    if (!file) {
      file = readAuthFile(path)
      files.set(path, file)
    }
    return file
  }
  const dockerConfig = join(
    options.dockerConfigDir ?? env.DOCKER_CONFIG ?? join(home, '.docker'),
    'config.json'
  )

  const helper = async (
    name: string,
    serverUrl: string,
    registry: Registry,
    source: string
  ): Promise<Credential | undefined> =>
    helperCredential(
      await helperGet({
        helper: name,
        serverUrl,
        registry: registry.name,
        source,
        env,
        timeoutMs
      }),
      `docker-credential-${name} (${source})`
    )

  /** A helper named for the registry is the file's whole answer for it, as in Docker and podman. */
  const fromCredHelpers = (
    file: AuthFile,
    registry: Registry
  ): Promise<Credential | undefined> | undefined => {
    const key = Object.keys(file.credHelpers).find(k =>
      sameRegistry(k, registry)
    )
    if (key === undefined) return undefined
    return helper(
      file.credHelpers[key],
      key,
      registry,
      `credHelpers["${key}"] in ${file.path}`
    )
  }

  const fromDocker = async (
    registry: Registry
  ): Promise<Credential | undefined> => {
    const file = await load(dockerConfig)
    if (!file) return undefined
    const named = fromCredHelpers(file, registry)
    if (named) return named
    const keys = Object.keys(file.auths).filter(k => sameRegistry(k, registry))
    for (const key of keys) {
      const credential = entryCredential(
        file.auths[key],
        `auths["${key}"] in ${file.path}`
      )
      if (credential) return credential
    }
    if (file.credsStore) {
      // `docker login` leaves the server it stored under as an empty `auths` entry.
      const server =
        keys[0] ??
        (registry.name === 'docker.io' ? dockerHubServer : registry.name)
      return helper(
        file.credsStore,
        server,
        registry,
        `credsStore in ${file.path}`
      )
    }
    return undefined
  }

  const fromContainers = async (
    registry: Registry
  ): Promise<Credential | undefined> => {
    const path = options.repositories?.find(
      r => r.registry.name === registry.name
    )?.path
    for (const authFile of containersAuthFiles(options, home)) {
      const file = await load(authFile)
      if (!file) continue
      const named = fromCredHelpers(file, registry)
      const credential = named
        ? await named
        : containersAuths(file, registry, path)
      if (credential) return credential
    }
    return undefined
  }

  const find = async (registry: Registry): Promise<Credential | undefined> => {
    const explicit = options.explicit
    if (explicit && explicit.registry.name === registry.name) {
      return {
        username: explicit.username,
        password: explicit.password,
        origin: 'the username and password inputs'
      }
    }
    const found =
      (await fromDocker(registry)) ?? (await fromContainers(registry))
    if (found) return found
    if (registry.name === 'ghcr.io' && options.githubToken) {
      return {
        username: options.githubActor || 'github-actions',
        password: options.githubToken,
        origin: 'the github-token input'
      }
    }
    return undefined
  }

  const resolved = new Map<string, Promise<Credential | undefined>>()
  return {
    resolve(registry) {
      let credential = resolved.get(registry.name)
      if (!credential) {
        credential = find(registry)
        resolved.set(registry.name, credential)
      }
      return credential
    }
  }
}
