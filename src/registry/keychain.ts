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
  /** Where `DOCKER_CONFIG` and `HOME` are looked up: the front end's environment. */
  env: NodeJS.ProcessEnv
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
        options.env.DOCKER_CONFIG ??
        join(options.env.HOME || homedir(), '.docker')
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
