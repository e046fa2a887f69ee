import { isMap, isPair, isScalar, isSeq, type Node } from 'yaml'
import { editFluxMarkers } from './flux'
import { editHelmImage } from './helm'
import { editKustomizeImages, isKustomization } from './kustomize'
import { editNamedPaths } from './named-paths'
import { editReference } from './reference'
import { formatPath, Splicer, type JsPath } from './splice'
import type { ImageTarget, ManifestEdit } from './types'

export { ManifestError } from './splice'
export { parseNamedPath } from './named-paths'
export type {
  ImageTarget,
  ManifestChange,
  ManifestEdit,
  NamedPath
} from './types'

/**
 * Rewrites every reference to `target.repository` in a YAML stream, byte for byte outside the
 * changed values (`splice.ts`). The matchers, one per format: `manifest-paths` fields, Flux
 * setter markers, Helm image maps, kustomization `images:`, and full references anywhere.
 */
export function editManifest(
  file: string,
  src: string,
  target: ImageTarget
): ManifestEdit {
  const editor = new Splicer(file, src, target)
  editor.documents.forEach((document, doc) => {
    editNamedPaths(editor, doc, document)
    editFluxMarkers(editor, doc, document.contents)
    const kustomization = isKustomization(file, document)
    const walk = (node: unknown, path: JsPath): void => {
      if (isScalar(node) && typeof node.value === 'string') {
        editReference(editor, doc, node, path)
      } else if (isMap(node)) {
        const owned = editHelmImage(editor, doc, node, path)
        for (const pair of node.items) {
          if (!isPair(pair)) continue
          if (!isScalar(pair.key)) {
            // `{{ .ns }}: x` parses as a mapping used as a key: an unquoted template, not data.
            const range = (pair.key as Node | null)?.range
            editor.notes.push(
              `${file}${range ? `:${editor.lineOf(range[0])}` : ''}: a key in ${formatPath(path) || 'the top-level mapping'} is itself a mapping or list (an unquoted template?); left alone`
            )
            continue
          }
          const key = String(pair.key.value)
          if (owned.includes(key)) continue
          if (
            kustomization &&
            path.length === 0 &&
            key === 'images' &&
            isSeq(pair.value)
          )
            editKustomizeImages(editor, doc, pair.value, [key])
          else walk(pair.value, [...path, key])
        }
      } else if (isSeq(node)) {
        node.items.forEach((item, i) => walk(item, [...path, i]))
      }
    }
    walk(document.contents, [])
  })
  return editor.finish()
}
