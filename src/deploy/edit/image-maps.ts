import { isMap, isScalar, type Pair, type YAMLMap } from 'yaml'
import type { Repository } from '../../oci/reference'
import { sameRepository } from './reference'
import { pairOf, stringOf, type JsPath } from './splice'

/**
 * Where a values mapping keeps the digest, and in which form the chart reads it:
 * `digest: sha256:…` (Bitnami, ingress-nginx, prometheus) or `sha: <hex>` (kube-prometheus-stack,
 * grafana, loki: the template writes `@sha256:{{ .sha }}`). A value already there shows its form
 * and keeps it; an empty `sha` is guessed as hex, the reading of most charts.
 */
export interface DigestField {
  key: 'digest' | 'sha'
  pair: Pair
  form: 'full' | 'hex'
  guessed: boolean
}

/** A values mapping recognised as one image, split into fields. */
export interface ImageMap {
  /** The image as the chart renders it: a registry (its own or the global one) and the repository. */
  name: string
  /** The field naming the repository part; a missing tag is added after it. */
  nameField: Pair
  tag?: Pair
  digest?: DigestField
  /** Whether the mapping is the value of an image key, the only place a missing tag is added. */
  underImageKey: boolean
  /** The keys that belong to the image, which the reference walk leaves alone. */
  owned: string[]
}

// `image`, `thanosImage`, `init-image`, `sidecar_image`: keys whose mapping is an image.
const imageKey = /^image$|[a-z0-9]Image$|[-_]image$/

const hexDigest = /^[0-9a-f]{64}$/

function scalarOrEmpty(pair: Pair | undefined): Pair | undefined {
  return pair && (pair.value === null || isScalar(pair.value))
    ? pair
    : undefined
}

function nonEmpty(pair: Pair | undefined): string | undefined {
  const value = stringOf(pair)?.trim()
  return value ? value : undefined
}

function digestField(map: YAMLMap): DigestField | undefined {
  for (const key of ['digest', 'sha'] as const) {
    const pair = scalarOrEmpty(pairOf(map, key))
    if (!pair) continue
    const value = nonEmpty(pair)
    if (value?.startsWith('sha256:'))
      return { key, pair, form: 'full', guessed: false }
    if (value && hexDigest.test(value))
      return { key, pair, form: 'hex', guessed: false }
    return {
      key,
      pair,
      form: key === 'sha' ? 'hex' : 'full',
      guessed: key === 'sha'
    }
  }
  return undefined
}

/** `ghcr.io/a/b` has a host; `bitnami/nginx` and `nginx` do not (a registry is put before them). */
function hasHost(repository: string): boolean {
  const slash = repository.indexOf('/')
  if (slash < 0) return false
  const first = repository.slice(0, slash)
  return first.includes('.') || first.includes(':') || first === 'localhost'
}

function hasTagOrDigest(name: string): boolean {
  return /[:@]/.test(name.split('/').pop() ?? '')
}

/**
 * The registry the chart falls back to for every image: `global.image.registry` (ingress-nginx)
 * or `global.imageRegistry` (Bitnami, prometheus-community), from the nearest enclosing values
 * that have a `global` key (the file, or a HelmRelease's `spec.values`).
 */
function globalRegistry(ancestors: YAMLMap[]): string | undefined {
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const global = pairOf(ancestors[i], 'global')?.value
    if (!global) continue
    if (!isMap(global)) return undefined
    const image = pairOf(global, 'image')?.value
    return (
      (isMap(image) ? nonEmpty(pairOf(image, 'registry')) : undefined) ??
      nonEmpty(pairOf(global, 'imageRegistry'))
    )
  }
  return undefined
}

/**
 * The names a repository field can render as. Its own `registry` comes first; a global registry
 * applies when the repository has no host of its own (charts disagree on which one wins when
 * both are set, so either may name the image).
 */
function renderedNames(
  repository: string,
  own: string | undefined,
  global: string | undefined
): string[] {
  const names = own ? [`${own}/${repository}`] : []
  if (global && !hasHost(repository)) names.push(`${global}/${repository}`)
  if (!own && !(global && !hasHost(repository))) names.push(repository)
  return names
}

/**
 * cert-manager composes its images: top-level `imageRegistry` + `imageNamespace` + `image.name`
 * when `image.repository` is empty (a per-image `registry` goes in front of all that).
 */
function composedName(map: YAMLMap, ancestors: YAMLMap[]): string | undefined {
  const name = nonEmpty(pairOf(map, 'name'))
  if (!name) return undefined
  const root = [...ancestors]
    .reverse()
    .find(a => pairOf(a, 'imageRegistry') || pairOf(a, 'imageNamespace'))
  if (!root) return undefined
  const parts = [
    nonEmpty(pairOf(map, 'registry')),
    nonEmpty(pairOf(root, 'imageRegistry')),
    nonEmpty(pairOf(root, 'imageNamespace')),
    name
  ]
  return parts.filter(Boolean).join('/')
}

/**
 * The image a values mapping holds, when it names `repository`. Three conventions:
 * - `repository` (+ `registry`, or a global registry) with `tag` / `digest` / `sha`: `helm create`,
 *   Bitnami, prometheus-community. A lone `repository:` is not enough (actions/checkout's `with:`
 *   has one): the mapping needs a tag, digest, sha or registry key, or an image key above it.
 * - `image` (a bare repository) next to `tag` / `digest` / `sha`: ingress-nginx, redis-ha, Argo
 *   Workflows loop items. The template joins them, so `image` stays a repository.
 * - `name` under an image key with an empty `repository`, composed with top-level
 *   `imageRegistry` / `imageNamespace`: cert-manager.
 */
export function recogniseImageMap(
  map: YAMLMap,
  path: JsPath,
  ancestors: YAMLMap[],
  repository: Repository
): ImageMap | undefined {
  const tag = scalarOrEmpty(pairOf(map, 'tag'))
  const digest = digestField(map)
  const registry = nonEmpty(pairOf(map, 'registry'))
  const last = path[path.length - 1]
  const underImageKey = typeof last === 'string' && imageKey.test(last)
  const matching = (names: string[]) =>
    names.find(n => sameRepository(n, repository))
  const owned = ['registry', 'tag', 'digest', 'sha']

  const repositoryPair = pairOf(map, 'repository')
  const repositoryValue = nonEmpty(repositoryPair)
  if (repositoryValue) {
    if (!(tag || digest || registry || underImageKey)) return undefined
    if (hasTagOrDigest(repositoryValue)) return undefined
    const global = globalRegistry(ancestors)
    const name = matching(renderedNames(repositoryValue, registry, global))
    return name
      ? {
          name,
          nameField: repositoryPair!,
          tag,
          digest,
          underImageKey,
          owned: ['repository', ...owned]
        }
      : undefined
  }

  const imagePair = pairOf(map, 'image')
  const image = nonEmpty(imagePair)
  if (image && (tag || digest) && !hasTagOrDigest(image)) {
    const global = globalRegistry(ancestors)
    const name = matching(renderedNames(image, registry, global))
    return name
      ? {
          name,
          nameField: imagePair!,
          tag,
          digest,
          underImageKey,
          owned: ['image', ...owned]
        }
      : undefined
  }

  if (underImageKey) {
    const composed = composedName(map, ancestors)
    const name = composed ? matching([composed]) : undefined
    if (name)
      return {
        name,
        nameField: repositoryPair ?? pairOf(map, 'name')!,
        tag,
        digest,
        underImageKey,
        owned: ['name', 'repository', ...owned]
      }
  }
  return undefined
}
