import { isScalar, type Node, type YAMLMap } from 'yaml'
import { sameRepository } from './reference'
import {
  formatPath,
  pairOf,
  stringOf,
  type JsPath,
  type Splicer
} from './splice'

/**
 * Helm-style image maps: `repository` (with an optional `registry`) + `tag` (+ `digest`). The
 * tag is set (added after `repository` when missing) and the digest where the chart has one.
 * Returns the keys it owns, so the walk leaves them alone; none when the map is not the image's.
 */
export function editHelmImage(
  editor: Splicer,
  doc: number,
  map: YAMLMap,
  path: JsPath
): string[] {
  const { target } = editor
  const repositoryPair = pairOf(map, 'repository')
  const repository = stringOf(repositoryPair)
  if (!repository) return []
  const registry = stringOf(pairOf(map, 'registry'))
  const full = registry ? `${registry}/${repository}` : repository
  if (
    !sameRepository(full, target.repository) ||
    /[:@]/.test(repository.split('/').pop() ?? '')
  ) {
    return []
  }
  editor.matches++
  const tagPair = pairOf(map, 'tag')
  const digestPair = pairOf(map, 'digest')
  const oldTag =
    tagPair && isScalar(tagPair.value) ? String(tagPair.value.value ?? '') : ''
  const oldDigest = stringOf(digestPair)
  let changed = false
  if (tagPair)
    changed =
      editor.setScalar(tagPair.value as Node, [...path, 'tag'], target.tag) ||
      changed
  else {
    editor.insertAfter(map, repositoryPair!, path, 'tag', target.tag)
    changed = true
  }
  if (digestPair) {
    changed =
      editor.setScalar(
        digestPair.value as Node,
        [...path, 'digest'],
        target.digest
      ) || changed
  }
  if (changed) {
    editor.change({
      document: doc,
      path: formatPath(path),
      kind: 'helm',
      from: `${full}${oldTag ? `:${oldTag}` : ''}${oldDigest ? `@${oldDigest}` : ''}`,
      to: `${full}:${target.tag}${digestPair ? `@${target.digest}` : ''}`
    })
  }
  return ['repository', 'registry', 'tag', 'digest']
}
