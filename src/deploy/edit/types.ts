import type { Digest } from '../../oci/digest'
import type { Repository } from '../../oci/reference'

// The editor's vocabulary, without the YAML library: the inputs and the pipeline use it in every
// run, while the editor itself (./index) is loaded only where a manifest is edited.

/** A field named by the user (`manifest-paths`) that gets the tag, the digest or the reference. */
export interface NamedPath {
  path: (string | number)[]
  field: 'tag' | 'digest' | 'reference'
}

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

/** The image every matching reference is pointed at. */
export interface ImageTarget {
  repository: Repository
  tag: string
  digest: Digest
  /** Fields set wherever they exist, whatever their current value. */
  paths?: NamedPath[]
}

/** One value changed in one document. */
export interface ManifestChange {
  document: number
  /** Where in the document, e.g. `spec.template.spec.containers[0].image`. */
  path: string
  kind: 'reference' | 'kustomize' | 'helm' | 'flux-marker' | 'named-path'
  /** The image reference before and after, as full references where the file splits them. */
  from: string
  to: string
}

/** A field that names the image but was not edited. */
export interface UnmatchedField {
  document: number
  path: string
  /** Why a rule leaves it alone; absent when no matcher knows the field. */
  why?: string
}

export interface ManifestEdit {
  text: string
  changes: ManifestChange[]
  /** References to the image that were found, changed or already current. */
  matches: number
  warnings: string[]
  /** For the debug log: what the YAML library noticed, keys that are mappings (templates). */
  notes: string[]
  /** Fields naming the image that were left as they are (explains a file without matches). */
  unmatched: UnmatchedField[]
}

/** A file that cannot be edited safely, with where the problem is. */
export class ManifestError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    detail: string
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${detail}`)
    this.name = 'ManifestError'
  }
}
