import { isMap, isPair, isScalar, isSeq } from 'yaml'
import { sameRepository } from './reference'
import { formatPath, type JsPath } from './splice'
import type { ImageTarget, UnmatchedField } from './types'

/**
 * What the matchers noticed but did not edit, gathered per file: fields naming the image that
 * no rule knows or that a rule left alone (for the no-match message).
 */
export class Findings {
  readonly unmatched: UnmatchedField[] = []

  constructor(private readonly target: ImageTarget) {}

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
}
