import { isDeepStrictEqual } from 'node:util'
import {
  isAlias,
  isPair,
  isScalar,
  parseAllDocuments,
  type Document,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap
} from 'yaml'
import { doubleQuoted, needsQuotes, singleQuoted } from '../quote'
import {
  ManifestError,
  type ImageTarget,
  type ManifestChange,
  type ManifestEdit
} from './types'

export type JsPath = (string | number)[]

export function formatPath(path: JsPath): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('')
}

/** The pair of `key` in a mapping, when the key is a plain scalar. */
export function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find(
    p => isPair(p) && isScalar(p.key) && p.key.value === key
  ) as Pair | undefined
}

/** The string value of a pair, when it is one. */
export function stringOf(pair: Pair | undefined): string | undefined {
  return pair && isScalar(pair.value) && typeof pair.value.value === 'string'
    ? pair.value.value
    : undefined
}

// The library reports what it notices through process warnings unless told otherwise; those would
// reach the job log raw. Its parse warnings are kept as notes instead (see `notes`).
const parseOptions = {
  prettyErrors: true,
  uniqueKeys: true,
  logLevel: 'error'
} as const

/**
 * A document as data to compare before and after an edit. Mappings stay Maps, so a key that is
 * itself a mapping (`{{ .ns }}: x`, an unquoted template) is compared as it is, not stringified
 * (which is lossy and makes the library print a warning).
 */
function plainData(doc: Document): unknown {
  return doc.toJS({ mapAsMap: true })
}

interface Splice {
  start: number
  end: number
  text: string
}

/**
 * The splice core of the editor: values are changed by replacing only their own characters in
 * the original text, so comments, blank lines, key order, indentation, quoting and line endings
 * stay as they were. Every edit is also made on the parsed documents; the edited text must read
 * back exactly as those, or nothing is written.
 */
export class Splicer {
  readonly documents: Document[]
  readonly changes: ManifestChange[] = []
  readonly warnings: string[] = []
  /** Details for the debug log only (what the YAML library noticed, keys left alone). */
  readonly notes: string[] = []
  /** References to the image found, whether they changed or were already current. */
  matches = 0
  private readonly eol: string
  private readonly splices: Splice[] = []
  private readonly intended: (() => void)[] = []
  private readonly edited = new Set<Node>()

  constructor(
    readonly file: string,
    private readonly src: string,
    readonly target: ImageTarget
  ) {
    this.eol = src.includes('\r\n') ? '\r\n' : '\n'
    const docs = parseAllDocuments(src, parseOptions)
    this.documents = Array.isArray(docs) ? docs : []
    for (const doc of this.documents) {
      for (const warning of doc.warnings)
        this.notes.push(`${file}: ${warning.message.split('\n')[0]}`)
      const error = doc.errors[0]
      if (error) {
        throw new ManifestError(
          file,
          error.linePos?.[0]?.line,
          `not valid YAML: ${error.message.split('\n')[0]}`
        )
      }
    }
  }

  lineOf(offset: number): number {
    return this.src.slice(0, offset).split('\n').length
  }

  change(change: ManifestChange): void {
    this.changes.push(change)
  }

  /** Sets a scalar to `value` in its own quoting style; false when it already had the value. */
  setScalar(node: Node | null, path: JsPath, value: string): boolean {
    if (isAlias(node)) {
      throw new ManifestError(
        this.file,
        this.lineOf(node.range![0]),
        `${formatPath(path)} is an alias (*${node.source}); edit the anchored value instead`
      )
    }
    if (!isScalar(node) || !node.range || this.edited.has(node)) return false
    if (node.anchor) {
      this.warnings.push(
        `${this.file}:${this.lineOf(node.range[0])}: ${formatPath(path)} is anchored (&${node.anchor}); its aliases change too`
      )
    }
    if (node.value === value) return false
    this.edited.add(node)
    this.intended.push(() => {
      node.value = value
    })
    const [start, end] = node.range
    const text = this.render(node, value)
    // An empty value (`tag:`) gets a space before it, and one after when a comment follows.
    const src = this.src
    const lead = src[start - 1] === ' ' || src[start - 1] === '\t' ? '' : ' '
    const spliced =
      start === end ? `${lead}${text}${src[start] === '#' ? ' ' : ''}` : text
    this.splices.push({ start, end, text: spliced })
    return true
  }

  /** Adds `key: value` on the line after `after`'s line, indented like `after`'s key. */
  insertAfter(
    map: YAMLMap,
    after: Pair,
    path: JsPath,
    key: string,
    value: string
  ): void {
    const src = this.src
    if (map.flow) {
      throw new ManifestError(
        this.file,
        this.lineOf((after.key as Node).range![0]),
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
    this.splices.push({
      start: lineEnd,
      end: lineEnd,
      text: `${this.eol}${indent}${key}: ${rendered}`
    })
    this.intended.push(() => map.set(key, value))
  }

  /** The edited text, checked: it parses, and reads exactly as the intended documents. */
  finish(): Omit<ManifestEdit, 'unmatched'> {
    // From the end backwards; insertions at the same offset in reverse order, so they read in order.
    const ordered = this.splices.map((splice, order) => ({ ...splice, order }))
    ordered.sort((a, b) => b.start - a.start || b.order - a.order)
    let text = this.src
    for (const s of ordered)
      text = text.slice(0, s.start) + s.text + text.slice(s.end)
    if (this.splices.length) {
      for (const apply of this.intended) apply()
      this.verify(text, this.documents.map(plainData))
    }
    return {
      text,
      changes: this.changes,
      matches: this.matches,
      warnings: this.warnings,
      notes: this.notes
    }
  }

  private render(node: Scalar, value: string): string {
    if (node.type === 'QUOTE_SINGLE') return singleQuoted(value)
    if (node.type === 'QUOTE_DOUBLE') return doubleQuoted(value)
    if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
      const original = this.src.slice(node.range![0], node.range![1])
      return doubleQuoted(value) + (original.endsWith('\n') ? this.eol : '')
    }
    return needsQuotes(value) ? doubleQuoted(value) : value
  }

  private verify(after: string, want: unknown[]): void {
    const parse = (text: string): unknown[] => {
      const docs = parseAllDocuments(text, parseOptions)
      const list = Array.isArray(docs) ? docs : []
      for (const doc of list) {
        if (doc.errors.length) {
          throw new ManifestError(
            this.file,
            undefined,
            `editing produced invalid YAML (${doc.errors[0].message}); nothing was written`
          )
        }
      }
      return list.map(plainData)
    }
    if (!isDeepStrictEqual(parse(after), want)) {
      throw new ManifestError(
        this.file,
        undefined,
        'the edited file reads differently than intended; nothing was written'
      )
    }
    const eolBefore = this.src.includes('\r\n')
    const eolAfter = after.includes('\r\n')
    if (eolBefore !== eolAfter || (!eolBefore && after.includes('\r'))) {
      throw new ManifestError(
        this.file,
        undefined,
        'editing changed the line endings; nothing was written'
      )
    }
  }
}
