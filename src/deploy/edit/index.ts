import { isMap, isPair, isScalar, isSeq, type Node, type YAMLMap } from 'yaml'
import { Findings } from './findings'
import { editFluxMarkers } from './flux'
import { editHelmImage } from './helm'
import { editKustomizeImages, isKustomization } from './kustomize'
import { editNamedPaths } from './named-paths'
import {
  isCompose,
  leftAlone,
  objectOf,
  type KubeObject,
  type Place
} from './never-images'
import { imageParameters } from './parameters'
import { editReference, sameRepository } from './reference'
import { formatPath, Splicer, type JsPath } from './splice'
import type { ImageTarget, ManifestEdit } from './types'

export { ManifestError, parseNamedPath } from './types'
export type {
  ImageTarget,
  ManifestChange,
  ManifestEdit,
  NamedPath,
  UnmatchedField
} from './types'

/**
 * Rewrites every reference to `target.repository` in a YAML stream, byte for byte outside the
 * changed values (`splice.ts`). The matchers, one per format: `manifest-paths` fields, Flux
 * setter markers, Helm image maps, kustomization `images:`, and full references anywhere, except
 * in fields that are never deployed images (`never-images.ts`).
 */
export function editManifest(
  file: string,
  src: string,
  target: ImageTarget
): ManifestEdit {
  const editor = new Splicer(file, src, target)
  const findings = new Findings(file, target)
  const parameters = imageParameters(editor.documents)
  editor.documents.forEach((document, doc) => {
    editNamedPaths(editor, doc, document)
    editFluxMarkers(editor, doc, document.contents)
    const kustomization = isKustomization(file, document)
    const compose = isCompose(document)
    const walk = (
      node: unknown,
      path: JsPath,
      ancestors: YAMLMap[],
      outer: KubeObject | undefined
    ): void => {
      if (isScalar(node) && typeof node.value === 'string') {
        if (
          !editReference(editor, doc, node, path) &&
          sameRepository(node.value, target.repository)
        )
          findings.unknownField(doc, path)
      } else if (isMap(node)) {
        const object = objectOf(node, path.length) ?? outer
        const owned = editHelmImage(
          editor,
          findings,
          doc,
          node,
          path,
          ancestors
        )
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
          const childPath = [...path, key]
          const place: Place = {
            path: childPath,
            parent: node,
            ancestors,
            object,
            kustomization,
            compose,
            imageParameters: parameters
          }
          const why = leftAlone(place)
          if (why) findings.leftAlone(doc, childPath, pair.value, why)
          else if (
            kustomization &&
            path.length === 0 &&
            key === 'images' &&
            isSeq(pair.value)
          )
            editKustomizeImages(editor, doc, pair.value, [key])
          else walk(pair.value, childPath, [...ancestors, node], object)
        }
      } else if (isSeq(node)) {
        node.items.forEach((item, i) =>
          walk(item, [...path, i], ancestors, outer)
        )
      }
    }
    // A document that is a bare string is no manifest: only collections are walked.
    if (isMap(document.contents) || isSeq(document.contents))
      walk(document.contents, [], [], undefined)
  })
  const edit = editor.finish()
  return {
    ...edit,
    warnings: [...edit.warnings, ...findings.warnings()],
    unmatched: findings.unmatched
  }
}
