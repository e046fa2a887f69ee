import { isMap, isPair, isScalar, isSeq, type Scalar } from 'yaml'
import { sameRepository } from './reference'
import { formatPath, type JsPath, type Splicer } from './splice'

const marker = /\{\s*"\$imagepolicy"\s*:\s*"([^"]+)"\s*\}/

/**
 * Flux image-automation setters: `# {"$imagepolicy": "ns:policy:name|tag|digest"}` on fields
 * anywhere in a document. When a policy's `:name` field names the image, its `:tag` and
 * `:digest` fields are set; fields marked with the whole reference go through the other rules.
 */
export function editFluxMarkers(
  editor: Splicer,
  doc: number,
  contents: unknown
): void {
  const { target } = editor
  const groups = new Map<
    string,
    { field: string; node: Scalar; path: JsPath }[]
  >()
  const collect = (node: unknown, path: JsPath): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue
        const childPath = [...path, String(pair.key.value)]
        const found = isScalar(pair.value)
          ? marker.exec(pair.value.comment ?? '')
          : null
        if (found && isScalar(pair.value)) {
          const parts = found[1].split(':')
          const policy = parts.slice(0, 2).join(':')
          const list = groups.get(policy) ?? []
          list.push({
            field: parts[2] ?? '',
            node: pair.value,
            path: childPath
          })
          groups.set(policy, list)
        }
        collect(pair.value, childPath)
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => collect(item, [...path, i]))
    }
  }
  collect(contents, [])
  for (const fields of groups.values()) {
    const name = fields.find(f => f.field === 'name')
    if (
      !name ||
      typeof name.node.value !== 'string' ||
      !sameRepository(name.node.value, target.repository)
    )
      continue
    editor.matches++
    for (const { field, node, path } of fields) {
      const value =
        field === 'tag'
          ? target.tag
          : field === 'digest'
            ? target.digest
            : undefined
      if (value === undefined) continue
      const from = String(node.value ?? '')
      if (editor.setScalar(node, path, value)) {
        editor.change({
          document: doc,
          path: formatPath(path),
          kind: 'flux-marker',
          from: `${name.node.value}:${from}`,
          to: `${name.node.value}:${value}`
        })
      }
    }
  }
}
