/**
 * Package URLs as the purl specification builds them: every component percent-encoded except
 * ASCII letters, digits, `.-_~` and the colon; qualifiers with empty values dropped and sorted by
 * key. Type-specific normalisation (lower-casing, PyPI's `_` → `-`) is the caller's.
 */

function encodeComponent(value: string): string {
  let out = ''
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte)
    out += /[A-Za-z0-9._~:-]/.test(c)
      ? c
      : '%' + byte.toString(16).toUpperCase().padStart(2, '0')
  }
  return out
}

export interface PurlParts {
  type: string
  namespace?: string
  name: string
  version?: string
  qualifiers?: Record<string, string | undefined>
  subpath?: string
}

/** Builds the canonical purl string for the given components. */
export function purl(parts: PurlParts): string {
  let out = `pkg:${parts.type.toLowerCase()}/`
  const namespace = (parts.namespace ?? '')
    .split('/')
    .filter(segment => segment !== '')
  if (namespace.length > 0)
    out += namespace.map(encodeComponent).join('/') + '/'
  out += encodeComponent(parts.name.replace(/^\/+|\/+$/g, ''))
  if (parts.version) out += '@' + encodeComponent(parts.version)
  const qualifiers = Object.entries(parts.qualifiers ?? {})
    .filter((entry): entry is [string, string] => !!entry[1])
    .map(([key, value]) => `${key.toLowerCase()}=${encodeComponent(value)}`)
    .sort()
  if (qualifiers.length > 0) out += '?' + qualifiers.join('&')
  const subpath = (parts.subpath ?? '')
    .split('/')
    .filter(segment => segment !== '' && segment !== '.' && segment !== '..')
  if (subpath.length > 0) out += '#' + subpath.map(encodeComponent).join('/')
  return out
}

/** `pkg:npm/%40scope/name@1.0.0` for `@scope/name` (the scope is the namespace, its `@` encoded). */
export function npmPurl(name: string, version: string): string {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1
  return slash > 0
    ? purl({
        type: 'npm',
        namespace: name.slice(0, slash),
        name: name.slice(slash + 1),
        version
      })
    : purl({ type: 'npm', name, version })
}

/** PyPI names are case-insensitive and treat `_` as `-`: the purl uses the normalised form. */
export function pypiPurl(name: string, version: string): string {
  return purl({
    type: 'pypi',
    name: name.toLowerCase().replace(/_/g, '-'),
    version
  })
}

/** Go module paths: namespace is all but the last segment, and the spec lower-cases both. */
export function golangPurl(path: string, version: string): string {
  const segments = path.toLowerCase().split('/')
  const name = segments.pop() ?? path
  return purl({
    type: 'golang',
    namespace: segments.join('/'),
    name,
    version
  })
}

/** `pkg:oci/name@sha256:…?repository_url=registry/path/name` for an image name without tag. */
export function ociPurl(image: string, digest: string): string {
  const repository = image.toLowerCase()
  const name = repository.slice(repository.lastIndexOf('/') + 1)
  return purl({
    type: 'oci',
    name,
    version: digest,
    qualifiers: { repository_url: repository }
  })
}
