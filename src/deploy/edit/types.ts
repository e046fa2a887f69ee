import type { Digest } from '../../oci/digest'
import type { Repository } from '../../oci/reference'

/** A field named by the user (`manifest-paths`) that gets the tag, the digest or the reference. */
export interface NamedPath {
  path: (string | number)[]
  field: 'tag' | 'digest' | 'reference'
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
