import { isMap, isPair, isScalar, isSeq } from 'yaml'
import { sameRepository } from './reference'
import { formatPath, type JsPath } from './splice'
import type { ImageTarget, UnmatchedField } from './types'

/**
 * What the matchers noticed but did not edit, gathered per file: fields naming the image that
 * no rule knows or that a rule left alone (for the no-match message), and image maps pinned
 * without a digest or with a guessed digest format (one warning each per file).
 */
export class Findings {
  readonly unmatched: UnmatchedField[] = []
  private readonly withoutDigest: JsPath[] = []
  private readonly withoutTag: JsPath[] = []
  private readonly hexGuessed: JsPath[] = []

  constructor(
    private readonly file: string,
    private readonly target: ImageTarget
  ) {}

  /** A string naming the image in a field no matcher knows. */
  unknownField(document: number, path: JsPath): void {
    this.unmatched.push({ document, path: formatPath(path) })
  }

  /** A subtree a rule leaves alone: the fields in it that name the image, and why. */
  leftAlone(document: number, path: JsPath, node: unknown, why: string): void {
    if (isScalar(node)) {
      if (
        typeof node.value === 'string' &&
        sameRepository(node.value, this.target.repository)
      )
        this.unmatched.push({ document, path: formatPath(path), why })
    } else if (isMap(node)) {
      for (const pair of node.items) {
        if (isPair(pair) && isScalar(pair.key))
          this.leftAlone(
            document,
            [...path, String(pair.key.value)],
            pair.value,
            why
          )
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) =>
        this.leftAlone(document, [...path, i], item, why)
      )
    }
  }

  /** An image map that has no field for the digest (and none for the tag either). */
  noDigestField(path: JsPath, noTag: boolean): void {
    if (!this.named([...path, 'digest'])) this.withoutDigest.push(path)
    if (noTag && !this.named([...path, 'tag'])) this.withoutTag.push(path)
  }

  /** An empty `sha` key that was given the hex form, the most common reading. */
  hexGuessedFor(path: JsPath): void {
    if (!this.named([...path, 'sha'])) this.hexGuessed.push(path)
  }

  /** At most one warning per kind of finding for the whole file. */
  warnings(): string[] {
    const { file } = this
    const image = String(this.target.repository)
    const warnings: string[] = []
    if (this.withoutDigest.length) {
      const where = unique(
        this.withoutDigest.map(p => formatPath(p) || '(top)')
      )
      const lines = unique([
        ...this.withoutTag.map(p => fieldLine(p, 'tag')),
        ...this.withoutDigest.map(p => fieldLine(p, 'digest'))
      ])
      warnings.push(
        `${file}: ${list(where)} ${where.length === 1 ? 'names' : 'name'} ${image} but ${where.length === 1 ? 'has' : 'have'} no digest field${this.withoutTag.length ? ' (or no tag field)' : ''}, so the image is not pinned by digest there. If the template that renders it reads one, ${lines.length === 1 ? 'this manifest-paths line adds it' : 'these manifest-paths lines add them'}: ${lines.map(l => `"${l}"`).join(', ')}`
      )
    }
    if (this.hexGuessed.length) {
      const lines = unique(this.hexGuessed.map(p => fieldLine(p, 'sha')))
      warnings.push(
        `${file}: ${list(lines.map(l => l.split('=')[0]))} had no value to show its format, so the digest was written as hex without "sha256:", as kube-prometheus-stack, grafana and loki read a sha key. A chart that reads "sha256:…" there (kube-state-metrics) needs the manifest-paths ${lines.length === 1 ? 'line' : 'lines'} ${lines.map(l => `"${l}"`).join(', ')}`
      )
    }
    return warnings
  }

  private named(path: JsPath): boolean {
    const wanted = formatPath(path)
    return (this.target.paths ?? []).some(p => formatPath(p.path) === wanted)
  }
}

function fieldLine(path: JsPath, key: string): string {
  return `${formatPath([...path, key])}=${key === 'tag' ? 'tag' : 'digest'}`
}

function unique(items: string[]): string[] {
  return [...new Set(items)]
}

function list(items: string[]): string {
  return items.length <= 3
    ? items.join(', ')
    : `${items.slice(0, 3).join(', ')} and ${items.length - 3} more`
}
