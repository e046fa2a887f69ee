import { basename } from 'node:path'
import {
  isMap,
  isSeq,
  type Document,
  type Node,
  type Pair,
  type YAMLMap
} from 'yaml'
import { sameRepository } from './reference'
import {
  formatPath,
  pairOf,
  stringOf,
  type JsPath,
  type Splicer
} from './splice'

const kustomizationNames = new Set([
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization'
])

/** Whether a document is a kustomization: by its file name, or by `kind: Kustomization`. */
export function isKustomization(file: string, document: Document): boolean {
  const contents = document.contents
  return (
    kustomizationNames.has(basename(file)) ||
    (isMap(contents) && stringOf(pairOf(contents, 'kind')) === 'Kustomization')
  )
}

/**
 * A kustomization's top-level `images:` list: each entry naming the image gets `newTag` and
 * `digest`, except an entry pinned by `digest` alone, which stays so (kustomize then renders
 * `name@digest`, and adding a tag would change the form the author chose).
 */
export function editKustomizeImages(
  editor: Splicer,
  doc: number,
  images: unknown,
  path: JsPath
): void {
  if (!isSeq(images)) return
  images.items.forEach((entry, i) => {
    if (isMap(entry)) editEntry(editor, doc, entry, [...path, i])
  })
}

function editEntry(
  editor: Splicer,
  doc: number,
  entry: YAMLMap,
  path: JsPath
): void {
  const { target } = editor
  const name = pairOf(entry, 'name')
  const newName = pairOf(entry, 'newName')
  const effective = stringOf(newName) ?? stringOf(name)
  if (!effective || !sameRepository(effective, target.repository)) return
  editor.matches++
  const oldTag = stringOf(pairOf(entry, 'newTag'))
  const oldDigest = stringOf(pairOf(entry, 'digest'))
  const from = `${effective}${oldTag ? `:${oldTag}` : ''}${oldDigest ? `@${oldDigest}` : ''}`
  const digestOnly = !pairOf(entry, 'newTag') && pairOf(entry, 'digest')
  const fields = digestOnly
    ? ([['digest', target.digest]] as const)
    : ([
        ['newTag', target.tag],
        ['digest', target.digest]
      ] as const)
  let changed = false
  for (const [key, value] of fields) {
    const pair = pairOf(entry, key)
    if (pair)
      changed =
        editor.setScalar(pair.value as Node, [...path, key], value) || changed
    else {
      // After the entry's last image key, so newTag and digest read in that order.
      const last =
        key === 'digest'
          ? (pairOf(entry, 'newTag') ?? newName ?? name)
          : (newName ?? name)
      editor.insertAfter(entry, last as Pair, path, key, value)
      changed = true
    }
  }
  if (changed) {
    editor.change({
      document: doc,
      path: formatPath(path),
      kind: 'kustomize',
      from,
      to: `${effective}${digestOnly ? '' : `:${target.tag}`}@${target.digest}`
    })
  }
}
