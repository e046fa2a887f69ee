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
 * string with a tag or digest become `name:tag@digest`. A bare name is an image only under an
 * `image` key; elsewhere it is a name other tools keep (Flux ImageRepository, config values).
 */
export function editReference(
  editor: Splicer,
  doc: number,
  node: Scalar,
  path: JsPath
): void {
  const { target } = editor
  const value = node.value as string
  if (!sameRepository(value, target.repository)) return
  const underImageKey =
    path[path.length - 1] === 'image' ||
    (path[path.length - 1] === 'reference' && path[path.length - 2] === 'image') // image volumes
  if (!underImageKey && !/[:@]/.test(value.split('/').pop() ?? '')) return
  editor.matches++
  const next = `${namePart(value)}:${target.tag}@${target.digest}`
  if (editor.setScalar(node, path, next)) {
    editor.change({
      document: doc,
      path: formatPath(path),
      kind: 'reference',
      from: value,
      to: next
    })
  }
}
