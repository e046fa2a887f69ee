import { isScalar, type Document, type Node } from 'yaml'
import { formatPath, type Splicer } from './splice'
import type { NamedPath } from './types'

/** Parses `a.b[0].c=tag`: a dotted path (numeric indices in brackets) and what it receives. */
export function parseNamedPath(line: string): NamedPath {
  const match = /^([^=\s]+)\s*=\s*(tag|digest|reference)$/.exec(line.trim())
  if (!match)
    throw new Error(
      `"${line}" is not PATH=tag|digest|reference (e.g. api.image.version=tag)`
    )
  const path: (string | number)[] = []
  for (const part of match[1].split('.')) {
    const segments = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part)
    if (!segments || (segments[1] === '' && segments[2] === ''))
      throw new Error(`"${line}": "${part}" is not a key`)
    if (segments[1]) path.push(segments[1])
    for (const index of segments[2].matchAll(/\[(\d+)\]/g))
      path.push(Number(index[1]))
  }
  return { path, field: match[2] as NamedPath['field'] }
}

/** `manifest-paths`: each named field that exists gets the tag, the digest or the reference. */
export function editNamedPaths(
  editor: Splicer,
  doc: number,
  document: Document
): void {
  const { target, file } = editor
  for (const named of target.paths ?? []) {
    if (!document.hasIn(named.path)) continue
    const node = document.getIn(named.path, true) as Node | null
    if (!isScalar(node)) {
      editor.warnings.push(
        `${file}: ${formatPath(named.path)} is not a single value; manifest-paths left it alone`
      )
      continue
    }
    const value =
      named.field === 'tag'
        ? target.tag
        : named.field === 'digest'
          ? target.digest
          : `${target.repository}:${target.tag}@${target.digest}`
    editor.matches++
    const from = String(node.value ?? '')
    if (editor.setScalar(node, named.path, value)) {
      editor.change({
        document: doc,
        path: formatPath(named.path),
        kind: 'named-path',
        from,
        to: value
      })
    }
  }
}
