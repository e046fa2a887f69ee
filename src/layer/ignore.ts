/**
 * `.dockerignore` patterns, read and matched as Docker reads and matches them (moby/patternmatcher
 * and its `ignorefile` reader; BuildKit's walk for which matches a directory passes down and what an
 * excluded directory may still hold), for the `exclude` input and a source's `.imprintignore`.
 *
 * Where Docker's translation of a pattern into a Go regular expression contradicts its own
 * documentation (Go's `filepath.Match` rules), the documentation is followed: `\x` matches `x`
 * (Go's regexp would read `\d` as a digit), every character between brackets is a member of the
 * class (Docker turns `[*]` into a broken class), and `^` outside brackets is an ordinary
 * character (an anchor in Docker, so such a pattern matched nothing).
 */

import { compile } from './pattern-match'

/** The file at the top of a source directory whose patterns apply to that source only. */
export const IGNORE_FILE = '.imprintignore'

/** One cleaned pattern: `text` is what Docker's `Pattern.String()` gives (no `!`). */
export interface IgnorePattern {
  readonly text: string
  /** A `!` pattern: what it matches is included again. */
  readonly exclusion: boolean
  readonly matches: (path: string) => boolean
}

/** Go's unicode.IsSpace (String.prototype.trim also trims U+FEFF and keeps U+0085). */
function isSpace(code: number): boolean {
  return (
    (code >= 0x09 && code <= 0x0d) ||
    code === 0x20 ||
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  )
}

/**
 * Go's strings.TrimSpace, by scanning: a regular expression `\s+$` takes time quadratic in a run
 * of spaces that is not at the end (minutes for a 1 MiB line of them).
 */
function trimSpace(text: string): string {
  let start = 0
  let end = text.length
  while (start < end && isSpace(text.charCodeAt(start))) start++
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--
  return text.slice(start, end)
}

/** Go's `path.Clean`: one slash between elements, no `.` elements, `..` resolved where it can be. */
export function cleanPath(path: string): string {
  if (path === '') return '.'
  const rooted = path.startsWith('/')
  const out: string[] = []
  for (const element of path.split('/')) {
    if (element === '' || element === '.') continue
    if (element === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop()
      else if (!rooted) out.push('..')
    } else out.push(element)
  }
  const joined = out.join('/')
  return rooted ? `/${joined}` : joined || '.'
}

/** What `ignorefile.ReadAll` makes of one line that is not a comment; undefined when blank. */
function readLine(line: string): string | undefined {
  let pattern = trimSpace(line)
  if (pattern === '') return undefined
  const invert = pattern.startsWith('!')
  if (invert) pattern = trimSpace(pattern.slice(1))
  if (pattern.length > 0) {
    pattern = cleanPath(pattern)
    if (pattern.length > 1 && pattern.startsWith('/'))
      pattern = pattern.slice(1)
  }
  return invert ? `!${pattern}` : pattern
}

/** What `patternmatcher.New` makes of one pattern line (after `readLine`). */
function compilePattern(line: string): IgnorePattern {
  let text = cleanPath(trimSpace(line))
  const exclusion = text.startsWith('!')
  if (exclusion) {
    if (text.length === 1)
      throw new Error('re-includes nothing: write !PATTERN')
    text = text.slice(1)
  }
  return { text, exclusion, matches: compile(text) }
}

/**
 * Patterns given one per item (the `exclude` input: blank and comment lines already dropped).
 * Throws one error naming every pattern that is not valid.
 */
export function parsePatterns(items: readonly string[]): IgnorePattern[] {
  const patterns: IgnorePattern[] = []
  const problems: string[] = []
  for (const item of items) {
    const line = readLine(item)
    if (line === undefined) continue
    try {
      patterns.push(compilePattern(line))
    } catch (error) {
      problems.push(`"${item}" ${(error as Error).message}`)
    }
  }
  if (problems.length) throw new Error(problems.join('; '))
  return patterns
}

/**
 * The patterns of an ignore file, read as `ignorefile.ReadAll` reads them: a UTF-8 BOM dropped,
 * lines starting with `#` in column 1 are comments, blank lines skipped. Errors name `name` and the
 * line number.
 */
export function parseIgnoreFile(text: string, name: string): IgnorePattern[] {
  const lines = text.replace(/^\uFEFF/, '').split('\n')
  const patterns: IgnorePattern[] = []
  const problems: string[] = []
  for (const [index, raw] of lines.entries()) {
    const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (content.startsWith('#')) continue
    const line = readLine(content)
    if (line === undefined) continue
    try {
      patterns.push(compilePattern(line))
    } catch (error) {
      problems.push(
        `${name} line ${index + 1}: "${content.trim()}" ${(error as Error).message}`
      )
    }
  }
  if (problems.length) throw new Error(problems.join('; '))
  return patterns
}

/**
 * Which patterns a directory counts as matched, for what it holds: BuildKit's `MatchInfo`. A
 * pattern is recorded only where it was evaluated (or recorded above), not wherever it would match.
 */
export type Matched = readonly boolean[]

/**
 * Decides, path by path during a walk, what the patterns exclude, as BuildKit does for a
 * `.dockerignore` (tonistiigi/fsutil's walk with moby's `MatchesUsingParentResults`): patterns
 * are read in order, tracking whether the path is excluded so far; a pattern recorded as matched
 * for the directory above counts as matching, and otherwise a pattern is evaluated only when it
 * could change the verdict (a pattern on a path not excluded so far, a `!` pattern on one that
 * is). The last pattern that counts decides.
 *
 * So `!config` after a pattern excluding `.env` files at any depth does not include
 * `config/prod.env` again: at `config` nothing was excluded, the `!` pattern was not evaluated and
 * `config` records no match of it; at `config/prod.env` it is evaluated on that path and does not
 * match. (moby's `MatchesOrParentMatches`, which Docker's classic builder used, includes it.)
 */
export class IgnoreRules {
  /** For the source directory itself: nothing above it matched. */
  readonly top: Matched
  private readonly reaches: ((dir: string) => boolean)[]

  constructor(private readonly patterns: readonly IgnorePattern[]) {
    this.top = patterns.map(() => false)
    this.reaches = patterns.filter(p => p.exclusion).map(reachesUnder)
  }

  /**
   * Whether `path` (slash-separated, relative to the source) is excluded, on its own: the
   * directories above it are evaluated one by one from the top, as the walk does.
   */
  excludes(path: string): boolean {
    const slash = path.lastIndexOf('/')
    const parent = slash < 0 ? '.' : cleanPath(path.slice(0, slash))
    let matched = this.top
    if (parent !== '.') {
      const parts = parent.split('/')
      for (let i = 1; i <= parts.length; i++)
        matched = this.directory(parts.slice(0, i).join('/'), matched).matched
    }
    return this.excludesFile(path, matched)
  }

  /** Whether a file (or link) at `path` is excluded, given what matched its directory. */
  excludesFile(path: string, parent: Matched): boolean {
    return this.directory(path, parent).excluded
  }

  /** Whether a directory at `path` is excluded, and what it records, for what it holds. */
  directory(
    path: string,
    parent: Matched
  ): { excluded: boolean; matched: Matched } {
    let excluded = false
    const matched = this.patterns.map((pattern, i) => {
      let match = parent[i]
      if (!match) {
        // Not evaluated where it cannot change the verdict; then not recorded either.
        if (pattern.exclusion !== excluded) return false
        match = pattern.matches(path)
      }
      if (match) excluded = !pattern.exclusion
      return match
    })
    return { excluded, matched }
  }

  /**
   * Whether an excluded directory must still be listed because a `!` pattern could include
   * something below it. BuildKit's rule for patterns without wildcards (after a trailing `/*` or
   * `/**`): those that start with the directory's path; a pattern with wildcards could unless its
   * leading plain path segments lead elsewhere (BuildKit lists every excluded directory then).
   */
  mayIncludeBelow(dir: string): boolean {
    return this.reaches.some(reaches => reaches(dir))
  }
}

const wildcard = /[*?[\]\\]/

function reachesUnder(pattern: IgnorePattern): (dir: string) => boolean {
  const trimmed = pattern.text.replace(/\/\*\*?$/, '')
  if (!wildcard.test(trimmed)) return dir => `${trimmed}/`.startsWith(`${dir}/`)
  const segments = pattern.text.split('/')
  const plain = segments.findIndex(segment => wildcard.test(segment))
  const lead = segments.slice(0, plain).join('/')
  if (lead === '') return () => true
  return dir =>
    `${dir}/`.startsWith(`${lead}/`) || `${lead}/`.startsWith(`${dir}/`)
}
