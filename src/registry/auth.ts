import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { Registry } from '../oci/reference'

/** What a registry is logged in with. `identityToken` is an OAuth2 refresh token (docker config). */
export interface Credential {
  username: string
  password: string
  identityToken?: string
  /** Where it came from, for messages: `inputs`, `docker config`, `github-token`. */
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
  githubToken?: string
  githubActor?: string
}

interface DockerConfigEntry {
  auth?: string
  username?: string
  password?: string
  identitytoken?: string
}

/** The host part of a docker config `auths` key: `https://index.docker.io/v1/` → `index.docker.io`. */
function configKeyHost(key: string): string {
  return key.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '')
}

function sameRegistry(key: string, registry: Registry): boolean {
  const host = configKeyHost(key)
  if (registry.name === 'docker.io') {
    return ['docker.io', 'index.docker.io', 'registry-1.docker.io'].includes(
      host
    )
  }
  return host === registry.name
}

/** Inputs first, then Docker's config.json (what docker/login-action writes), then ghcr.io with the GitHub token. */
export function defaultKeychain(options: KeychainOptions): Keychain {
  let config: Promise<Record<string, DockerConfigEntry>> | undefined
  const loadConfig = (): Promise<Record<string, DockerConfigEntry>> => {
    config ??= (async () => {
      const dir =
        options.dockerConfigDir ??
        process.env.DOCKER_CONFIG ??
        join(homedir(), '.docker')
      try {
        const parsed = JSON.parse(
          await readFile(join(dir, 'config.json'), 'utf8')
        ) as {
          auths?: Record<string, DockerConfigEntry>
        }
        return parsed.auths ?? {}
      } catch {
        return {}
      }
    })()
    return config
  }

  return {
    async resolve(registry) {
      const explicit = options.explicit
      if (explicit && explicit.registry.name === registry.name) {
        return {
          username: explicit.username,
          password: explicit.password,
          origin: 'the username and password inputs'
        }
      }
      const auths = await loadConfig()
      for (const [key, entry] of Object.entries(auths)) {
        if (!sameRegistry(key, registry)) continue
        if (entry.identitytoken) {
          return {
            username: entry.username ?? '<token>',
            password: '',
            identityToken: entry.identitytoken,
            origin: 'docker config.json'
          }
        }
        if (entry.username && entry.password) {
          return {
            username: entry.username,
            password: entry.password,
            origin: 'docker config.json'
          }
        }
        if (entry.auth) {
          const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
          const colon = decoded.indexOf(':')
          if (colon > 0) {
            return {
              username: decoded.slice(0, colon),
              password: decoded.slice(colon + 1),
              origin: 'docker config.json'
            }
          }
        }
      }
      if (registry.name === 'ghcr.io' && options.githubToken) {
        return {
          username: options.githubActor || 'github-actions',
          password: options.githubToken,
          origin: 'github-token'
        }
      }
      return undefined
    }
  }
}

/** One `WWW-Authenticate` challenge. */
export interface Challenge {
  scheme: 'basic' | 'bearer' | string
  params: Record<string, string>
}

/** Parses `Bearer realm="…",service="…",scope="…"` (quoted values may hold commas). */
export function parseChallenge(header: string): Challenge {
  const trimmed = header.trim()
  const space = trimmed.indexOf(' ')
  const scheme = (space < 0 ? trimmed : trimmed.slice(0, space)).toLowerCase()
  const params: Record<string, string> = {}
  const rest = space < 0 ? '' : trimmed.slice(space + 1)
  const pattern =
    /([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g
  for (let m = pattern.exec(rest); m; m = pattern.exec(rest)) {
    params[m[1].toLowerCase()] =
      m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]
  }
  return { scheme, params }
}

/** The scope string a token request asks for: `repository:acme/api:pull,push`. */
export function repositoryScope(
  path: string,
  actions: 'pull' | 'pull,push'
): string {
  return `repository:${path}:${actions}`
}
