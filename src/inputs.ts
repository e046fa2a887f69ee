import { isAbsolute } from 'node:path'
import { parseLayerSpec, type LayerSpec } from './layer/layer-spec'
import type { Compression } from './layer/layer'
import { InputError, InputErrors, messageOf } from './errors'
import { parsePlatform } from './oci/platform'
import {
  parseReference,
  Registry,
  Repository,
  type Reference
} from './oci/reference'
import type { Platform } from './oci/types'
import { KeyError, loadSigningKey, type SigningKey } from './sign/keys'
import { hasIdentityToken } from './sign/keyless'
import { parseNamedPath, type NamedPath } from './deploy/yaml-edit'
import { parseKeyValue, parseList } from './util/list-input'

/** Every input, typed and validated; keys match `action.yml`. */
export interface Inputs {
  image: Repository
  base: Reference | 'scratch'
  layers: LayerSpec[]
  platforms: Platform[] | 'all'
  entrypoint?: string[]
  cmd?: string[]
  env: [string, string][]
  workdir?: string
  user?: string
  labels: Record<string, string>
  annotations: Record<string, string>
  tags: string[]
  push: boolean
  ociLayout?: string
  workingDirectory: string
  sourceDateEpoch?: number
  allowTagOverwrite: boolean
  /** Owner of every entry in the built layers. */
  layerOwner: { uid: number; gid: number }
  username?: string
  password?: string
  insecureRegistries: string[]
  githubToken?: string
  /** How to sign: resolved from `sign` (and `auto`) at input time. */
  sign: SignMode
  signingKey?: SigningKey
  /** Also sign each platform manifest of an index. */
  signRecursive: boolean
  /** Attach signed SLSA v1 provenance when signing. */
  attest: boolean
  /** Files or globs, relative to the repository root, whose references to `image` are pinned. */
  manifests: string[]
  manifestCommit: 'push' | 'pull-request' | 'none'
  /** `owner/repo` of a separate GitOps repository. */
  manifestRepository?: string
  /** For the manifest clone, push and pull request API: `manifest-token`, else `github-token`. */
  manifestToken?: string
  manifestBranch?: string
  commitMessage: string
  manifestNoMatch: 'error' | 'warning'
  /** Fields named by the user that receive the tag, digest or reference in every manifest. */
  manifestPaths: NamedPath[]
  compression: Compression
  /** On pull_request events, keep one PR comment with the digest report up to date. */
  comment: boolean
  /** Fan-out: push without tags; the digest (and platform) go to the merge job. */
  pushByDigest: boolean
  /** Fan-in: digests in `image` to assemble into one index instead of building. */
  mergeDigests: string[]
  /** Keep the diffID → blob map in the Actions cache, when the job has one. */
  actionsCache: boolean
}

export type SignMode = 'key' | 'keyless' | 'none'

export const inputDefaults: Record<string, string> = {
  base: 'cgr.dev/chainguard/static:latest',
  platforms: 'linux/amd64',
  tags: '{{sha}}',
  push: 'true',
  'working-directory': '.',
  'allow-tag-overwrite': 'false',
  'layer-owner': 'root',
  sign: 'auto',
  'sign-recursive': 'false',
  attest: 'true',
  'manifest-commit': 'push',
  'commit-message': 'deploy: {{image}}@{{digest}} ({{short_sha}})',
  'manifest-no-match': 'error',
  'push-by-digest': 'false',
  compression: 'gzip',
  comment: 'true',
  'actions-cache': 'true'
}

/** The names of the inputs this version reads, as in `action.yml`. */
export const inputNames = [
  'image',
  'base',
  'layers',
  'platforms',
  'entrypoint',
  'cmd',
  'env',
  'workdir',
  'user',
  'labels',
  'annotations',
  'tags',
  'push',
  'oci-layout',
  'working-directory',
  'source-date-epoch',
  'allow-tag-overwrite',
  'layer-owner',
  'username',
  'password',
  'insecure-registries',
  'github-token',
  'sign',
  'signing-key',
  'signing-key-password',
  'sign-recursive',
  'attest',
  'manifests',
  'manifest-commit',
  'manifest-repository',
  'manifest-branch',
  'commit-message',
  'manifest-no-match',
  'manifest-paths',
  'manifest-token',
  'push-by-digest',
  'merge-digests',
  'compression',
  'comment',
  'actions-cache'
] as const
export type InputName = (typeof inputNames)[number]

function parseBoolean(value: string): boolean {
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  throw new Error(`"${value}" is not a boolean (use true or false)`)
}

/** A JSON array of strings, or a plain string split on spaces. */
export function parseCommand(value: string): string[] {
  const trimmed = value.trim()
  if (trimmed.startsWith('[')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(trimmed)
    } catch (error) {
      throw new Error(
        `${trimmed} is not valid JSON (${messageOf(error)}); write e.g. ["/app/server","--port","8080"]`
      )
    }
    if (!Array.isArray(parsed) || !parsed.every(p => typeof p === 'string')) {
      throw new Error(`${trimmed} must be a JSON array of strings`)
    }
    return parsed
  }
  return trimmed.split(/\s+/)
}

function keyValues(items: string[]): [string, string][] {
  return items.map(parseKeyValue)
}

/**
 * Validates raw input strings (missing ones are empty) into `Inputs`, collecting every problem
 * into one `InputErrors` so that nothing is touched before all inputs are known to be usable.
 */
export function parseInputs(
  get: (name: InputName) => string,
  env: NodeJS.ProcessEnv = process.env
): Inputs {
  const errors: InputError[] = []
  const raw = (name: InputName): string => {
    const value = get(name).trim()
    return value === '' ? (inputDefaults[name] ?? '') : value
  }
  function field<T>(
    name: InputName,
    parse: (value: string) => T,
    fallback: T
  ): T {
    try {
      return parse(raw(name))
    } catch (error) {
      errors.push(
        error instanceof InputError
          ? error
          : new InputError(name, messageOf(error))
      )
      return fallback
    }
  }
  const optional =
    <T>(parse: (value: string) => T) =>
    (value: string): T | undefined =>
      value === '' ? undefined : parse(value)

  const image = field(
    'image',
    value => {
      if (value === '')
        throw new Error(
          'is required (the repository to push to, e.g. ghcr.io/acme/api)'
        )
      return Repository.parse(value)
    },
    undefined as unknown as Repository
  )

  const base = field<Reference | 'scratch'>(
    'base',
    value => (value === 'scratch' ? 'scratch' : parseReference(value)),
    'scratch'
  )

  const mergeDigests = field(
    'merge-digests',
    value => parseList(value),
    [] as string[]
  )
  const layers = field(
    'layers',
    value => {
      const lines = parseList(value)
      if (mergeDigests.length > 0) {
        if (lines.length > 0) {
          throw new Error(
            'is not used with merge-digests, which assembles images already pushed; remove one of them'
          )
        }
        return []
      }
      if (lines.length === 0)
        throw new Error(
          'is required: one SOURCE:DESTINATION per line, e.g. dist:/app/dist'
        )
      return lines.map(parseLayerSpec)
    },
    [] as LayerSpec[]
  )

  const platforms = field<Platform[] | 'all'>(
    'platforms',
    value => {
      const items = parseList(value, { commas: true })
      if (items.length === 1 && items[0] === 'all') return 'all'
      if (items.length === 0)
        throw new Error('is empty (use e.g. linux/amd64,linux/arm64 or all)')
      const parsed = items.map(parsePlatform)
      const seen = new Set<string>()
      for (const [i, p] of parsed.entries()) {
        if (seen.has(JSON.stringify(p)))
          throw new Error(`"${items[i]}" is listed twice`)
        seen.add(JSON.stringify(p))
      }
      return parsed
    },
    []
  )

  const workingDirectory = field('working-directory', value => value, '.')
  const ociLayout = field(
    'oci-layout',
    value => (value === '' ? undefined : value),
    undefined
  )
  const push = field('push', parseBoolean, false)

  const sourceDateEpoch = field(
    'source-date-epoch',
    optional(value => {
      if (!/^\d+$/.test(value))
        throw new Error(
          `"${value}" is not a whole number of seconds since 1970-01-01`
        )
      return Number(value)
    }),
    undefined
  )

  const workdir = field(
    'workdir',
    optional(value => {
      if (!isAbsolute(value) && !value.startsWith('/'))
        throw new Error(`"${value}" must be an absolute path in the image`)
      return value
    }),
    undefined
  )

  const insecureRegistries = field(
    'insecure-registries',
    value =>
      parseList(value, { commas: true }).map(host => Registry.parse(host).name),
    [] as string[]
  )

  const username = field(
    'username',
    optional(v => v),
    undefined
  )
  const password = get('password') === '' ? undefined : get('password')
  if ((username === undefined) !== (password === undefined)) {
    errors.push(
      new InputError(
        username === undefined ? 'username' : 'password',
        'username and password must be given together'
      )
    )
  }

  const user = field(
    'user',
    optional(v => v),
    undefined
  )
  const layerOwner = field(
    'layer-owner',
    value => {
      const ids = (
        text: string,
        what: string
      ): { uid: number; gid: number } => {
        const match = /^(\d+)(?::(\d+))?$/.exec(text)
        if (!match)
          throw new Error(
            `${what} (use root, user, or numeric UID[:GID] such as 65532:65532)`
          )
        const owner = {
          uid: Number(match[1]),
          gid: Number(match[2] ?? match[1])
        }
        // The USTAR uid/gid fields hold 7 octal digits.
        if (owner.uid > 0o7777777 || owner.gid > 0o7777777) {
          throw new Error(
            `${text}: owner ids above 2097151 do not fit a tar header`
          )
        }
        return owner
      }
      if (value === '' || value === 'root') return { uid: 0, gid: 0 }
      if (value === 'user') {
        return ids(
          user ?? '',
          `"user" needs the user input to be numeric UID[:GID], got "${user ?? ''}"`
        )
      }
      return ids(value, `"${value}" is not an owner`)
    },
    { uid: 0, gid: 0 }
  )

  const signingKeyPem = get('signing-key').trim()
  const sign = field<SignMode>(
    'sign',
    value => {
      switch (value) {
        case 'auto':
          return signingKeyPem
            ? 'key'
            : hasIdentityToken(env)
              ? 'keyless'
              : 'none'
        case 'key':
          if (!signingKeyPem) {
            throw new Error(
              'is "key" but signing-key is empty; pass the key, e.g. signing-key: ${{ secrets.COSIGN_PRIVATE_KEY }}'
            )
          }
          return 'key'
        case 'none':
          return 'none'
        case 'keyless':
          if (!hasIdentityToken(env)) {
            throw new Error(
              'is "keyless" but the job has no OIDC token: missing "id-token" permission. Please add "permissions: id-token: write" to your workflow.'
            )
          }
          return 'keyless'
        default:
          throw new Error(`"${value}" is not one of auto, key, keyless, none`)
      }
    },
    'none'
  )
  let signingKey: SigningKey | undefined
  if (sign === 'key' && signingKeyPem) {
    try {
      signingKey = loadSigningKey(signingKeyPem, get('signing-key-password'))
    } catch (error) {
      const message = messageOf(error)
      errors.push(
        new InputError(
          error instanceof KeyError && message.includes('signing-key-password')
            ? 'signing-key-password'
            : 'signing-key',
          message
        )
      )
    }
  }

  const manifestRepository = field(
    'manifest-repository',
    optional(value => {
      if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(value)) {
        throw new Error(`"${value}" is not OWNER/REPOSITORY`)
      }
      return value
    }),
    undefined
  )

  const pushByDigest = field('push-by-digest', parseBoolean, false)
  if (pushByDigest && mergeDigests.length > 0) {
    errors.push(
      new InputError(
        'push-by-digest',
        'cannot be combined with merge-digests: the fan-out job pushes by digest, the fan-in job merges'
      )
    )
  } else if (pushByDigest && !push) {
    errors.push(
      new InputError(
        'push-by-digest',
        'needs push: true (it pushes the image without tags)'
      )
    )
  }

  const inputs: Inputs = {
    image,
    base,
    layers,
    platforms,
    entrypoint: field('entrypoint', optional(parseCommand), undefined),
    cmd: field('cmd', optional(parseCommand), undefined),
    env: field('env', value => keyValues(parseList(value)), []),
    workdir,
    user,
    labels: field(
      'labels',
      value => Object.fromEntries(keyValues(parseList(value))),
      {}
    ),
    annotations: field(
      'annotations',
      value => Object.fromEntries(keyValues(parseList(value))),
      {}
    ),
    tags: field('tags', value => parseList(value), []),
    push,
    ociLayout,
    workingDirectory,
    sourceDateEpoch,
    allowTagOverwrite: field('allow-tag-overwrite', parseBoolean, false),
    layerOwner,
    username,
    password,
    insecureRegistries,
    githubToken: get('github-token') === '' ? undefined : get('github-token'),
    sign,
    signingKey,
    signRecursive: field('sign-recursive', parseBoolean, false),
    attest: field('attest', parseBoolean, true),
    manifests: field('manifests', value => parseList(value), []),
    manifestCommit: field<Inputs['manifestCommit']>(
      'manifest-commit',
      value => {
        if (value === 'push' || value === 'none' || value === 'pull-request')
          return value
        throw new Error(`"${value}" is not one of push, pull-request, none`)
      },
      'none'
    ),
    manifestRepository,
    manifestToken:
      get('manifest-token').trim() ||
      (get('github-token') === '' ? undefined : get('github-token')),
    manifestBranch: field(
      'manifest-branch',
      optional(value => {
        if (!/^[A-Za-z0-9._/-]+$/.test(value) || value.includes('..')) {
          throw new Error(`"${value}" is not a valid branch name`)
        }
        return value
      }),
      undefined
    ),
    commitMessage: field('commit-message', value => value, ''),
    pushByDigest,
    mergeDigests,
    comment: field('comment', parseBoolean, true),
    actionsCache: field('actions-cache', parseBoolean, true),
    compression: field<Compression>(
      'compression',
      value => {
        if (value === 'gzip' || value === 'zstd') return value
        throw new Error(`"${value}" is not gzip or zstd`)
      },
      'gzip'
    ),
    manifestPaths: field(
      'manifest-paths',
      value => parseList(value).map(parseNamedPath),
      []
    ),
    manifestNoMatch: field<'error' | 'warning'>(
      'manifest-no-match',
      value => {
        if (value === 'error' || value === 'warning') return value
        throw new Error(`"${value}" is not error or warning`)
      },
      'error'
    )
  }
  if (errors.length) throw new InputErrors(errors)
  return inputs
}
