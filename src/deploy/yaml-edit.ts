import { basename } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Document,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap
} from 'yaml'
import type { Digest } from '../oci/digest'
import { parseReference, type Repository } from '../oci/reference'
import { doubleQuoted, needsQuotes, singleQuoted } from './quote'

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

export interface ManifestEdit {
  text: string
  changes: ManifestChange[]
  /** References to the image that were found, changed or already current. */
  matches: number
  warnings: string[]
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

const kustomizationNames = new Set([
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization'
])

type JsPath = (string | number)[]

interface Splice {
  start: number
  end: number
  text: string
}

function formatPath(path: JsPath): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('')
}

function sameRepository(value: string, repository: Repository): boolean {
  if (value.includes('${') || value.includes('{{')) return false
  try {
    return parseReference(value).repository.equals(repository)
  } catch {
    return false
  }
}

/** The reference's name as written (`nginx`, `ghcr.io/a/b`), without tag and digest. */
function namePart(reference: string): string {
  const withoutDigest = reference.split('@')[0]
  const slash = withoutDigest.lastIndexOf('/')
  const colon = withoutDigest.lastIndexOf(':')
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest
}

/**
 * Rewrites every reference to `target.repository` in a YAML stream by splicing only the changed
 * values into the original text: comments, blank lines, key order, indentation, quoting and line
 * endings stay as they were. Kubernetes containers (anywhere), compose services and full-reference
 * strings get `name:tag@digest`; kustomization `images:` entries get `newTag` and `digest`; Helm-style
 * `repository` + `tag` (+ `digest`) mappings get the tag and, when present, the digest.
 */
export function editManifest(
  file: string,
  src: string,
  target: ImageTarget
): ManifestEdit {
  const eol = src.includes('\r\n') ? '\r\n' : '\n'
  const docs = parseAllDocuments(src, { prettyErrors: true, uniqueKeys: true })
  const documents: Document[] = Array.isArray(docs) ? docs : []
  for (const doc of documents) {
    const error = doc.errors[0]
    if (error) {
      throw new ManifestError(
        file,
        error.linePos?.[0]?.line,
        `not valid YAML: ${error.message.split('\n')[0]}`
      )
    }
  }
  const lineOf = (offset: number): number =>
    src.slice(0, offset).split('\n').length
  const splices: Splice[] = []
  const changes: ManifestChange[] = []
  // The same edits made on the parsed documents: what the edited text must read as (aliases included).
  const intended: (() => void)[] = []
  const edited = new Set<Node>()
  const warnings: string[] = []
  let matches = 0

  const render = (node: Scalar, value: string): string => {
    if (node.type === 'QUOTE_SINGLE') return singleQuoted(value)
    if (node.type === 'QUOTE_DOUBLE') return doubleQuoted(value)
    if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
      const original = src.slice(node.range![0], node.range![1])
      return doubleQuoted(value) + (original.endsWith('\n') ? eol : '')
    }
    return needsQuotes(value) ? doubleQuoted(value) : value
  }

  const setScalar = (
    node: Node | null,
    path: JsPath,
    value: string
  ): boolean => {
    if (isAlias(node)) {
      throw new ManifestError(
        file,
        lineOf(node.range![0]),
        `${formatPath(path)} is an alias (*${node.source}); edit the anchored value instead`
      )
    }
    if (!isScalar(node) || !node.range || edited.has(node)) return false
    if (node.anchor) {
      warnings.push(
        `${file}:${lineOf(node.range[0])}: ${formatPath(path)} is anchored (&${node.anchor}); its aliases change too`
      )
    }
    if (node.value === value) return false
    edited.add(node)
    intended.push(() => {
      node.value = value
    })
    const [start, end] = node.range
    const text = render(node, value)
    // An empty value (`tag:`) gets a space before it, and one after when a comment follows.
    const lead = src[start - 1] === ' ' || src[start - 1] === '\t' ? '' : ' '
    const spliced =
      start === end ? `${lead}${text}${src[start] === '#' ? ' ' : ''}` : text
    splices.push({ start, end, text: spliced })
    return true
  }

  /** Adds `key: value` on the line after `after`'s line, indented like `after`'s key. */
  const insertAfter = (
    map: YAMLMap,
    after: Pair,
    path: JsPath,
    key: string,
    value: string
  ): void => {
    if (map.flow) {
      throw new ManifestError(
        file,
        lineOf((after.key as Node).range![0]),
        `cannot add ${key} to the flow mapping at ${formatPath(path)}; write it in block style`
      )
    }
    const keyStart = (after.key as Node).range![0]
    const lineStart = src.lastIndexOf('\n', keyStart - 1) + 1
    const bom = src.charCodeAt(lineStart) === 0xfeff ? 1 : 0
    const indent = ' '.repeat(keyStart - lineStart - bom)
    const valueEnd = (after.value as Node | null)?.range?.[2] ?? keyStart
    let lineEnd = src.indexOf('\n', valueEnd > 0 ? valueEnd - 1 : 0)
    if (lineEnd < 0) lineEnd = src.length
    else if (src[lineEnd - 1] === '\r') lineEnd -= 1
    const rendered = needsQuotes(value) ? doubleQuoted(value) : value
    splices.push({
      start: lineEnd,
      end: lineEnd,
      text: `${eol}${indent}${key}: ${rendered}`
    })
    intended.push(() => map.set(key, value))
  }

  const pairOf = (map: YAMLMap, key: string): Pair | undefined =>
    map.items.find(p => isPair(p) && isScalar(p.key) && p.key.value === key) as
      Pair | undefined
  const stringOf = (pair: Pair | undefined): string | undefined =>
    pair && isScalar(pair.value) && typeof pair.value.value === 'string'
      ? pair.value.value
      : undefined

  const editKustomizeEntry = (
    doc: number,
    entry: YAMLMap,
    path: JsPath
  ): void => {
    const name = pairOf(entry, 'name')
    const newName = pairOf(entry, 'newName')
    const effective = stringOf(newName) ?? stringOf(name)
    if (!effective || !sameRepository(effective, target.repository)) return
    matches++
    const from = `${effective}${stringOf(pairOf(entry, 'newTag')) ? `:${stringOf(pairOf(entry, 'newTag'))}` : ''}${stringOf(pairOf(entry, 'digest')) ? `@${stringOf(pairOf(entry, 'digest'))}` : ''}`
    let changed = false
    for (const [key, value] of [
      ['newTag', target.tag],
      ['digest', target.digest]
    ] as const) {
      const pair = pairOf(entry, key)
      if (pair)
        changed =
          setScalar(pair.value as Node, [...path, key], value) || changed
      else {
        // After the entry's last image key, so newTag and digest read in that order.
        const last =
          key === 'digest'
            ? (pairOf(entry, 'newTag') ?? newName ?? name)
            : (newName ?? name)
        insertAfter(entry, last as Pair, path, key, value)
        changed = true
      }
    }
    if (changed) {
      changes.push({
        document: doc,
        path: formatPath(path),
        kind: 'kustomize',
        from,
        to: `${effective}:${target.tag}@${target.digest}`
      })
    }
  }

  const editHelmImage = (doc: number, map: YAMLMap, path: JsPath): boolean => {
    const repositoryPair = pairOf(map, 'repository')
    const repository = stringOf(repositoryPair)
    if (!repository) return false
    const registry = stringOf(pairOf(map, 'registry'))
    const full = registry ? `${registry}/${repository}` : repository
    if (
      !sameRepository(full, target.repository) ||
      /[:@]/.test(repository.split('/').pop() ?? '')
    ) {
      return false
    }
    matches++
    const tagPair = pairOf(map, 'tag')
    const digestPair = pairOf(map, 'digest')
    const oldTag =
      tagPair && isScalar(tagPair.value)
        ? String(tagPair.value.value ?? '')
        : ''
    const oldDigest = stringOf(digestPair)
    let changed = false
    if (tagPair)
      changed =
        setScalar(tagPair.value as Node, [...path, 'tag'], target.tag) ||
        changed
    else {
      insertAfter(map, repositoryPair!, path, 'tag', target.tag)
      changed = true
    }
    if (digestPair) {
      changed =
        setScalar(
          digestPair.value as Node,
          [...path, 'digest'],
          target.digest
        ) || changed
    }
    if (changed) {
      changes.push({
        document: doc,
        path: formatPath(path),
        kind: 'helm',
        from: `${full}${oldTag ? `:${oldTag}` : ''}${oldDigest ? `@${oldDigest}` : ''}`,
        to: `${full}:${target.tag}${digestPair ? `@${target.digest}` : ''}`
      })
    }
    return true
  }

  const editReference = (doc: number, node: Scalar, path: JsPath): void => {
    const value = node.value as string
    if (!sameRepository(value, target.repository)) return
    // A bare name is an image only under an `image` key (containers, compose); elsewhere it is a
    // name other tools keep (Flux ImageRepository, Argo CD image lists, config values).
    const underImageKey =
      path[path.length - 1] === 'image' ||
      (path[path.length - 1] === 'reference' &&
        path[path.length - 2] === 'image') // image volumes
    if (!underImageKey && !/[:@]/.test(value.split('/').pop() ?? '')) return
    matches++
    const next = `${namePart(value)}:${target.tag}@${target.digest}`
    if (setScalar(node, path, next)) {
      changes.push({
        document: doc,
        path: formatPath(path),
        kind: 'reference',
        from: value,
        to: next
      })
    }
  }

  const walk = (
    doc: number,
    node: unknown,
    path: JsPath,
    kustomization: boolean
  ): void => {
    if (isMap(node)) {
      const helm = editHelmImage(doc, node, path)
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue
        const key = String(pair.key.value)
        if (helm && ['repository', 'registry', 'tag', 'digest'].includes(key))
          continue
        const childPath = [...path, key]
        if (
          kustomization &&
          path.length === 0 &&
          key === 'images' &&
          isSeq(pair.value)
        ) {
          pair.value.items.forEach((entry, i) => {
            if (isMap(entry)) editKustomizeEntry(doc, entry, [...childPath, i])
          })
          continue
        }
        walkValue(doc, pair.value, childPath, kustomization)
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) =>
        walkValue(doc, item, [...path, i], kustomization)
      )
    }
  }
  const walkValue = (
    doc: number,
    node: unknown,
    path: JsPath,
    kustomization: boolean
  ): void => {
    if (isScalar(node) && typeof node.value === 'string')
      editReference(doc, node, path)
    else walk(doc, node, path, kustomization)
  }

  /**
   * Flux image-automation setters: `# {"$imagepolicy": "ns:policy:name|tag|digest"}` on fields
   * anywhere in a document. When a policy's `:name` field names the image, its `:tag` and
   * `:digest` fields are set; fields marked with the whole reference go through the rules above.
   */
  const editFluxMarkers = (doc: number, contents: unknown): void => {
    const groups = new Map<
      string,
      { field: string; node: Scalar; path: JsPath }[]
    >()
    const collect = (node: unknown, path: JsPath): void => {
      if (isMap(node)) {
        for (const pair of node.items) {
          if (!isPair(pair) || !isScalar(pair.key)) continue
          const childPath = [...path, String(pair.key.value)]
          const marker = isScalar(pair.value)
            ? /\{\s*"\$imagepolicy"\s*:\s*"([^"]+)"\s*\}/.exec(
                pair.value.comment ?? ''
              )
            : null
          if (marker && isScalar(pair.value)) {
            const parts = marker[1].split(':')
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
      matches++
      for (const { field, node, path } of fields) {
        const value =
          field === 'tag'
            ? target.tag
            : field === 'digest'
              ? target.digest
              : undefined
        if (value === undefined) continue
        const from = String(node.value ?? '')
        if (setScalar(node, path, value)) {
          changes.push({
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

  const editNamedPaths = (doc: number, document: Document): void => {
    for (const named of target.paths ?? []) {
      if (!document.hasIn(named.path)) continue
      const node = document.getIn(named.path, true) as Node | null
      if (!isScalar(node)) {
        warnings.push(
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
      matches++
      const from = isScalar(node) ? String(node.value ?? '') : ''
      if (setScalar(node, named.path, value)) {
        changes.push({
          document: doc,
          path: formatPath(named.path),
          kind: 'named-path',
          from,
          to: value
        })
      }
    }
  }

  documents.forEach((doc, i) => {
    const contents = doc.contents
    editNamedPaths(i, doc)
    editFluxMarkers(i, contents)
    const kustomization =
      kustomizationNames.has(basename(file)) ||
      (isMap(contents) &&
        stringOf(pairOf(contents, 'kind')) === 'Kustomization')
    walk(i, contents, [], kustomization)
  })

  // From the end backwards; insertions at the same offset in reverse order, so they read in order.
  const ordered = splices.map((splice, order) => ({ ...splice, order }))
  ordered.sort((a, b) => b.start - a.start || b.order - a.order)
  let text = src
  for (const s of ordered)
    text = text.slice(0, s.start) + s.text + text.slice(s.end)

  // The edited text must parse, and differ from the original only at the intended paths.
  if (splices.length) {
    for (const apply of intended) apply()
    verifyEdit(
      file,
      src,
      text,
      documents.map(d => d.toJS())
    )
  }
  return { text, changes, matches, warnings }
}

function verifyEdit(
  file: string,
  before: string,
  after: string,
  want: unknown[]
): void {
  const parse = (text: string): unknown[] => {
    const docs = parseAllDocuments(text)
    const list = Array.isArray(docs) ? docs : []
    for (const doc of list) {
      if (doc.errors.length) {
        throw new ManifestError(
          file,
          undefined,
          `editing produced invalid YAML (${doc.errors[0].message}); nothing was written`
        )
      }
    }
    return list.map(d => d.toJS())
  }
  const got = parse(after)
  if (!isDeepStrictEqual(got, want)) {
    throw new ManifestError(
      file,
      undefined,
      'the edited file reads differently than intended; nothing was written'
    )
  }
  const eolBefore = before.includes('\r\n')
  const eolAfter = after.includes('\r\n')
  if (eolBefore !== eolAfter || (!eolBefore && after.includes('\r'))) {
    throw new ManifestError(
      file,
      undefined,
      'editing changed the line endings; nothing was written'
    )
  }
}
