import { isScalar, type Node, type Pair, type YAMLMap } from 'yaml'
import type { Findings } from './findings'
import { recogniseImageMap, type DigestField } from './image-maps'
import { formatPath, type JsPath, type Splicer } from './splice'

function valueOf(pair: Pair | undefined): string {
  return pair && isScalar(pair.value) && pair.value.value !== null
    ? String(pair.value.value)
    : ''
}

/** The digest in the form the field holds it: `sha256:…`, or the hex alone. */
function digestValue(field: DigestField, digest: string): string {
  return field.form === 'hex' ? digest.replace(/^sha256:/, '') : digest
}

/**
 * Helm-style image maps (`image-maps.ts` recognises them). The tag and the digest are set where
 * the mapping has fields for them; a mapping with a digest field but no tag field is pinned by
 * digest alone (its template reads no tag). A missing tag is added only to a mapping under an
 * image key that has no digest field either (the `helm create` convention). A tag written as
 * `tag@sha256:…` (Argo CD Image Updater's digest strategy) keeps that form.
 * Returns the keys it owns, so the walk leaves them alone; none when the map is not the image's.
 */
export function editHelmImage(
  editor: Splicer,
  findings: Findings,
  doc: number,
  map: YAMLMap,
  path: JsPath,
  ancestors: YAMLMap[]
): string[] {
  const { target } = editor
  const image = recogniseImageMap(map, path, ancestors, target.repository)
  if (!image) return []
  editor.matches++
  const { tag, digest } = image
  const oldTag = valueOf(tag)
  const oldDigest = valueOf(digest?.pair)
  let changed = false
  let newTag: string | undefined
  if (tag) {
    newTag = oldTag.includes('@sha256:')
      ? `${target.tag}@${target.digest}`
      : target.tag
    changed =
      editor.setScalar(tag.value as Node, [...path, 'tag'], newTag) || changed
  } else if (!digest && image.underImageKey) {
    newTag = target.tag
    editor.insertAfter(map, image.nameField, path, 'tag', newTag)
    changed = true
  }
  if (digest) {
    changed =
      editor.setScalar(
        digest.pair.value as Node,
        [...path, digest.key],
        digestValue(digest, target.digest)
      ) || changed
    if (digest.guessed) findings.hexGuessedFor(path)
  } else {
    findings.noDigestField(path, newTag === undefined)
  }
  if (changed) {
    const fullOld =
      oldDigest && !oldDigest.startsWith('sha256:')
        ? `sha256:${oldDigest}`
        : oldDigest
    editor.change({
      document: doc,
      path: formatPath(path),
      kind: 'helm',
      from: `${image.name}${oldTag ? `:${oldTag}` : ''}${fullOld ? `@${fullOld}` : ''}`,
      to: `${image.name}${newTag ? `:${target.tag}` : ''}${digest || newTag?.includes('@') ? `@${target.digest}` : ''}`
    })
  }
  return image.owned
}
