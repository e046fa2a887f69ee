import { isDigest, type Digest } from './digest'

/** Docker Hub as written in references and as the host its API lives on. */
const dockerHub = 'docker.io'
const dockerHubApiHost = 'index.docker.io'

const componentPattern = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const tagPattern = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/
const hostPattern =
  /^(?:localhost|\[[0-9a-fA-F:]+\]|(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)(?::[0-9]{1,5})?$/

/** A registry host, normalised like go-containerregistry's `name.Registry`. */
export class Registry {
  private constructor(readonly name: string) {}

  static parse(value: string): Registry {
    const name = value === 'index.docker.io' || value === '' ? dockerHub : value
    if (!hostPattern.test(name)) {
      throw new Error(`"${value}" is not a valid registry host`)
    }
    return new Registry(name)
  }

  /** The host the distribution API is served on (Docker Hub's differs from its name). */
  get apiHost(): string {
    return this.name === dockerHub ? dockerHubApiHost : this.name
  }

  /** Loopback registries may be spoken to over plain HTTP without being listed as insecure. */
  get isLoopback(): boolean {
    const host = this.name.replace(/:[0-9]+$/, '')
    return (
      host === 'localhost' ||
      host === '[::1]' ||
      /^127\.[0-9]+\.[0-9]+\.[0-9]+$/.test(host)
    )
  }

  toString(): string {
    return this.name
  }
}

/** A repository in a registry: `ghcr.io/acme/api`, `docker.io/library/alpine`. */
export class Repository {
  private constructor(
    readonly registry: Registry,
    readonly path: string
  ) {}

  /** Parses a bare repository (no tag, no digest). */
  static parse(value: string): Repository {
    const ref = parseReference(value)
    if (ref.tag !== undefined || ref.digest !== undefined) {
      throw new Error(
        `"${value}" must be a repository without a tag or digest (e.g. ghcr.io/acme/api)`
      )
    }
    return ref.repository
  }

  /** @internal */
  static of(registry: Registry, path: string): Repository {
    return new Repository(registry, path)
  }

  tag(tag: string): Reference {
    return new Reference(this, validateTag(tag), undefined)
  }

  equals(other: Repository): boolean {
    return this.toString() === other.toString()
  }

  toString(): string {
    return `${this.registry}/${this.path}`
  }
}

/** A reference to an image by tag, by digest, or both (`name:tag@digest`). */
export class Reference {
  constructor(
    readonly repository: Repository,
    readonly tag: string | undefined,
    readonly digest: Digest | undefined
  ) {}

  /** What to ask the registry for: the digest when known, else the tag, else `latest`. */
  get identifier(): string {
    return this.digest ?? this.tag ?? 'latest'
  }

  toString(): string {
    let s = this.repository.toString()
    if (this.tag !== undefined) s += `:${this.tag}`
    if (this.digest !== undefined) s += `@${this.digest}`
    return s
  }
}

export function validateTag(tag: string): string {
  if (!tagPattern.test(tag)) {
    throw new Error(
      `"${tag}" is not a valid tag (must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127})`
    )
  }
  return tag
}

/**
 * Parses an image reference the way go-containerregistry's `name.ParseReference` does: the first
 * path component is a registry when it has a dot, a port or is `localhost`; otherwise Docker Hub,
 * where one-component names live under `library/`.
 */
export function parseReference(value: string): Reference {
  const input = value.trim()
  if (input === '') throw new Error('the reference is empty')

  let rest = input
  let digest: Digest | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    const d = rest.slice(at + 1)
    if (!isDigest(d)) {
      throw new Error(
        `"${input}" has an invalid digest "${d}" (expected sha256: and 64 lower-case hex characters)`
      )
    }
    digest = d
    rest = rest.slice(0, at)
  }

  let tag: string | undefined
  const lastSlash = rest.lastIndexOf('/')
  const colon = rest.lastIndexOf(':')
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    if (!tagPattern.test(tag)) {
      throw new Error(
        `"${input}" has an invalid tag "${tag}" (must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127})`
      )
    }
  }

  const parts = rest.split('/')
  let registryName = ''
  const first = parts[0]
  if (
    parts.length > 1 &&
    (first.includes('.') ||
      first.includes(':') ||
      first === 'localhost' ||
      first.startsWith('['))
  ) {
    registryName = first
    parts.shift()
  }
  const registry = Registry.parse(
    registryName === '' ? dockerHub : registryName
  )
  if (registry.name === dockerHub && parts.length === 1)
    parts.unshift('library')

  const path = parts.join('/')
  if (path.length > 255) {
    throw new Error(
      `"${input}": the repository name is longer than 255 characters`
    )
  }
  for (const component of parts) {
    if (!componentPattern.test(component)) {
      const hint = /[A-Z]/.test(component)
        ? ' (repository names must be lower-case)'
        : ''
      throw new Error(
        `"${input}" is not a valid image reference: "${component}" is not a valid repository path component${hint}`
      )
    }
  }
  return new Reference(Repository.of(registry, path), tag, digest)
}
