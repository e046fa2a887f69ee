import type { Scalar } from 'yaml'
import { parseReference, type Repository } from '../../oci/reference'
import { formatPath, type JsPath, type Splicer } from './splice'

/** Whether a written reference names `repository` (templated values never do). */
export function sameRepository(value: string, repository: Repository): boolean {
  if (value.includes('${') || value.includes('{{')) return false
  try {
    return parseReference(value).repository.equals(repository)
  } catch {
    return false
  }
}

/** The reference's name as written (`nginx`, `ghcr.io/a/b`), without tag and digest. */
function namePart(reference: string): string {
  const withoutDigest = reference.split('@')[0]
  const slash = withoutDigest.lastIndexOf('/')
  const colon = withoutDigest.lastIndexOf(':')
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest
}

/**
 * Full references: Kubernetes containers (anywhere), compose services, image volumes and any
 * string with a tag or digest. A reference with a tag becomes `name:tag@digest`; one written by
 * digest alone stays so (`name@digest`: the author chose it, and kustomize's `digest` gives the
 * same). A bare name is an image only under an `image` key; elsewhere it is a name other tools
 * keep (annotations, config values). Returns whether the value names the image this way.
 */
export function editReference(
  editor: Splicer,
  doc: number,
  node: Scalar,
  path: JsPath
): boolean {
  const { target } = editor
  const value = node.value as string
  if (!sameRepository(value, target.repository)) return false
  const underImageKey =
    path[path.length - 1] === 'image' ||
    (path[path.length - 1] === 'reference' && path[path.length - 2] === 'image') // image volumes
  const written = parseReference(value)
  const bare = written.tag === undefined && written.digest === undefined
  if (bare && !underImageKey) return false
  editor.matches++
  const next =
    written.tag === undefined && written.digest !== undefined
      ? `${namePart(value)}@${target.digest}`
      : `${namePart(value)}:${target.tag}@${target.digest}`
  if (editor.setScalar(node, path, next)) {
    editor.change({
      document: doc,
      path: formatPath(path),
      kind: 'reference',
      from: value,
      to: next
    })
  }
  return true
}
