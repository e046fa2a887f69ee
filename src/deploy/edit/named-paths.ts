import {
  isMap,
  isPair,
  isScalar,
  type Document,
  type Node,
  type Pair
} from 'yaml'
import { formatPath, pairOf, type JsPath, type Splicer } from './splice'

/**
 * `manifest-paths`: each named field that exists gets the tag, the digest or the reference. A
 * missing last key is added to the block mapping that would hold it (after its tag, or after
 * its last plain value), which is how a values file gains the digest field it lacks.
 */
export function editNamedPaths(
  editor: Splicer,
  doc: number,
  document: Document
): void {
  const { target, file } = editor
  for (const named of target.paths ?? []) {
    const value =
      named.field === 'tag'
        ? target.tag
        : named.field === 'digest'
          ? target.digest
          : `${target.repository}:${target.tag}@${target.digest}`
    const where = formatPath(named.path)
    if (!document.hasIn(named.path)) {
      addField(editor, doc, document, named.path, value)
      continue
    }
    const node = document.getIn(named.path, true) as Node | null
    if (!isScalar(node)) {
      editor.warnings.push(
        `${file}: ${where} is not a single value; manifest-paths left it alone`
      )
      continue
    }
    editor.matches++
    const from = String(node.value ?? '')
    if (editor.setScalar(node, named.path, value)) {
      editor.change({
        document: doc,
        path: where,
        kind: 'named-path',
        from,
        to: value
      })
    }
  }
}

function addField(
  editor: Splicer,
  doc: number,
  document: Document,
  path: JsPath,
  value: string
): void {
  const key = path[path.length - 1]
  const holder =
    path.length === 1
      ? document.contents
      : (document.getIn(path.slice(0, -1), true) as unknown)
  if (typeof key !== 'string' || !isMap(holder)) return
  const where = formatPath(path)
  const scalars = holder.items.filter(
    (p): p is Pair => isPair(p) && isScalar(p.key) && isScalar(p.value)
  )
  const after = pairOf(holder, 'tag') ?? scalars[scalars.length - 1]
  if (holder.flow || !after) {
    editor.warnings.push(
      `${editor.file}: manifest-paths cannot add ${where} here; write the key in the file (block style)`
    )
    return
  }
  editor.matches++
  editor.insertAfter(holder, after, path.slice(0, -1), key, value)
  editor.change({
    document: doc,
    path: where,
    kind: 'named-path',
    from: '',
    to: value
  })
}
