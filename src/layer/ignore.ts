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

/** A bracket expression: `lo`–`hi` code point ranges, all of them or (negated) none. */
interface CharSet {
  readonly negated: boolean
  readonly ranges: readonly (readonly [number, number])[]
}

/**
 * One step of a pattern, as moby's regular expression reads it: a character, `?` (one character
 * but `/`), a bracket expression, `*` (any characters but `/`), `**` before more of the pattern
 * (nothing, or anything up to and including a `/`) and `**` at the end (anything). Go's `.` in the
 * last two is any character but a newline.
 */
type Token =
  | { readonly kind: 'char'; readonly ch: string }
  | { readonly kind: 'any' }
  | ({ readonly kind: 'set' } & CharSet)
  | { readonly kind: 'star' }
  | { readonly kind: 'dirs' }
  | { readonly kind: 'rest' }

/**
 * Reads a bracket expression at `chars[start]` (just after `[`) as Go's `filepath.Match` does:
 * `^` negates, members are characters or `lo-hi` ranges, `\` escapes, `]` closes once a member
 * was read. Returns the set and the index after `]`.
 */
function readClass(
  chars: string[],
  start: number
): { set: CharSet; next: number } {
  let i = start
  const unclosed = new Error(
    'has a "[" that opens a character class without closing it (write \\[ for a bracket)'
  )
  const member = (): string => {
    let ch = chars[i]
    if (ch === undefined) throw unclosed
    if (ch === '-' || ch === ']')
      throw new Error(
        `has a character class with "${ch}" where a character belongs (write \\${ch} for it)`
      )
    if (ch === '\\') {
      ch = chars[++i]
      if (ch === undefined) throw unclosed
    }
    i++
    if (i >= chars.length) throw unclosed
    return ch
  }
  const negated = chars[i] === '^'
  if (negated) i++
  const ranges: [number, number][] = []
  while (!(chars[i] === ']' && ranges.length > 0)) {
    const lo = member()
    let hi = lo
    if (chars[i] === '-') {
      i++
      hi = member()
    }
    // Go's filepath.Match accepts these; Docker's regular expression does not compile.
    if (lo.codePointAt(0)! > hi.codePointAt(0)!)
      throw new Error(
        `has a character class range ${lo}-${hi} that runs backwards`
      )
    ranges.push([lo.codePointAt(0)!, hi.codePointAt(0)!])
  }
  return { set: { negated, ranges }, next: i + 1 }
}

function inSet(set: CharSet, code: number): boolean {
  const member = set.ranges.some(([lo, hi]) => lo <= code && code <= hi)
  return member !== set.negated
}

const SLASH = 0x2f
const NEWLINE = 0x0a
const kinds = ['char', 'any', 'set', 'star', 'dirs', 'rest'] as const
const [CHAR, ANY, SET, STAR, DIRS, REST] = kinds.map((_, i) => i)

/**
 * Matches a path against tokens by keeping every place in the pattern the path so far could have
 * reached (Thompson's simulation of the regular expression, as Go's RE2 runs moby's): time
 * proportional to the path's length times the pattern's, whatever they are. A backtracking
 * matcher (JavaScript's RegExp) takes exponential time on `*a*a*a*a*a*a*a*a*b`, and a fork's pull
 * request can commit a `.imprintignore`.
 *
 * State `2j` is before token `j`, `2j + 1` inside the `**` at `j` (reading up to its `/`), `2m`
 * past the last token. Moves that read nothing only go forward. The path is read by code points,
 * as a `u` regular expression reads it. Up to 15 tokens (nearly every pattern), the set of states
 * is the bits of one number; beyond, an array.
 */
function simulate(tokens: readonly Token[]): (path: string) => boolean {
  return 2 * tokens.length + 1 <= 31 ? stateBits(tokens) : stateArray(tokens)
}

/** The code point of `path` at `i` (two UTF-16 units when it is above U+FFFF). */
function codePoint(path: string, i: number): number {
  const high = path.charCodeAt(i)
  if (high < 0xd800 || high > 0xdbff || i + 1 >= path.length) return high
  const low = path.charCodeAt(i + 1)
  if (low < 0xdc00 || low > 0xdfff) return high
  return 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00)
}

/** `simulate` for at most 15 tokens: bit `s` of a number is state `s`. */
function stateBits(tokens: readonly Token[]): (path: string) => boolean {
  const ascii = new Int32Array(128)
  const others = new Map<number, number>()
  const sets: [number, CharSet][] = []
  let any = 0
  let star = 0
  let rest = 0
  let dirs = 0
  tokens.forEach((token, j) => {
    const bit = 1 << (2 * j)
    if (token.kind === 'char') {
      const code = token.ch.codePointAt(0)!
      if (code < 128) ascii[code] |= bit
      else others.set(code, (others.get(code) ?? 0) | bit)
    } else if (token.kind === 'set') sets.push([bit, token])
    else if (token.kind === 'any') any |= bit
    else if (token.kind === 'star') star |= bit
    else if (token.kind === 'rest') rest |= bit
    else dirs |= bit
  })
  const skip = dirs | star | rest
  const inner = dirs << 1
  const accept = 1 << (2 * tokens.length)
  // Moves that read nothing: a `**` to its inner state or past itself, `*` and a final `**` past.
  const close = (states: number): number => {
    for (;;) {
      const more = states | ((states & dirs) << 1) | ((states & skip) << 2)
      if (more === states) return states
      states = more
    }
  }
  const start = close(1)
  return path => {
    let states = start
    for (let i = 0; i < path.length; i++) {
      const ch = codePoint(path, i)
      if (ch > 0xffff) i++
      let next = (states & (ch < 128 ? ascii[ch] : (others.get(ch) ?? 0))) << 2
      if (ch !== SLASH) next |= ((states & any) << 2) | (states & star)
      if (ch !== NEWLINE) next |= states & (rest | inner)
      if (ch === SLASH) next |= (states & inner) << 1
      for (const [bit, set] of sets)
        if (states & bit && inSet(set, ch)) next |= bit << 2
      if (next === 0) return false
      states = close(next)
    }
    return (states & accept) !== 0
  }
}

/** `simulate` for any number of tokens: an array of states. */
function stateArray(tokens: readonly Token[]): (path: string) => boolean {
  const m = tokens.length
  const kind = Uint8Array.from(tokens, token => kinds.indexOf(token.kind))
  const code = Int32Array.from(tokens, token =>
    token.kind === 'char' ? token.ch.codePointAt(0)! : -1
  )
  const sets = tokens.map(token => (token.kind === 'set' ? token : undefined))
  let current = new Uint8Array(2 * m + 1)
  let next = new Uint8Array(2 * m + 1)
  /** Whether token `j` reads `ch` (a `**` before more of the pattern reads in its inner state). */
  const reads = (j: number, ch: number): boolean => {
    switch (kind[j]) {
      case CHAR:
        return ch === code[j]
      case ANY:
      case STAR:
        return ch !== SLASH
      case SET:
        return inSet(sets[j]!, ch)
      case REST:
        return ch !== NEWLINE
      default:
        return false
    }
  }
  const close = (states: Uint8Array): void => {
    for (let j = 0; j < m; j++) {
      if (!states[2 * j]) continue
      const k = kind[j]
      if (k === DIRS) states[2 * j + 1] = 1
      if (k === DIRS || k === STAR || k === REST) states[2 * j + 2] = 1
    }
  }
  return path => {
    current.fill(0)
    current[0] = 1
    close(current)
    for (let i = 0; i < path.length; i++) {
      const ch = codePoint(path, i)
      if (ch > 0xffff) i++
      next.fill(0)
      let alive = false
      for (let j = 0; j < m; j++) {
        if (current[2 * j] && reads(j, ch)) {
          const stays = kind[j] === STAR || kind[j] === REST
          next[stays ? 2 * j : 2 * j + 2] = 1
          alive = true
        }
        if (current[2 * j + 1] && ch !== NEWLINE) {
          next[2 * j + 1] = 1
          if (ch === SLASH) next[2 * j + 2] = 1
          alive = true
        }
      }
      if (!alive) return false
      const read = current
      current = next
      next = read
      close(current)
    }
    return current[2 * m] === 1
  }
}

/**
 * Compiles a cleaned pattern (no `!`) as moby's `Pattern.compile` does: a whole-path comparison,
 * a prefix (`dir/**`), a suffix (`**` first, then only plain characters) or, where moby builds a
 * regular expression, the same language matched in linear time (`simulate`).
 */
function compile(pattern: string): (path: string) => boolean {
  const chars = Array.from(pattern)
  const tokens: Token[] = []
  let kind: 'exact' | 'prefix' | 'suffix' | 'regexp' = 'exact'
  for (let i = 0, step = 0; i < chars.length; step++) {
    const ch = chars[i++]
    if (ch === '*' && chars[i] === '*') {
      i++
      if (chars[i] === '/') i++
      if (i >= chars.length) {
        if (kind === 'exact') kind = 'prefix'
        else {
          tokens.push({ kind: 'rest' })
          kind = 'regexp'
        }
      } else {
        tokens.push({ kind: 'dirs' })
        kind = 'regexp'
      }
      if (step === 0) kind = 'suffix'
    } else if (ch === '*') {
      tokens.push({ kind: 'star' })
      kind = 'regexp'
    } else if (ch === '?') {
      tokens.push({ kind: 'any' })
      kind = 'regexp'
    } else if (ch === '\\') {
      if (i >= chars.length)
        throw new Error('ends with a "\\" that escapes nothing')
      tokens.push({ kind: 'char', ch: chars[i++] })
      kind = 'regexp'
    } else if (ch === '[') {
      const cls = readClass(chars, i)
      tokens.push({ kind: 'set', ...cls.set })
      i = cls.next
      kind = 'regexp'
    } else {
      // `]` alone is a plain character, but moby's pattern is a regular expression from then on.
      tokens.push({ kind: 'char', ch })
      if (ch === ']') kind = 'regexp'
    }
  }
  switch (kind) {
    case 'exact':
      return path => path === pattern
    case 'prefix': {
      const prefix = pattern.slice(0, -2)
      return path => path.startsWith(prefix)
    }
    case 'suffix': {
      // As in moby: `**/foo` also matches `foo`; `**foo` matches any path ending in foo.
      const suffix = pattern.slice(2)
      return path =>
        path.endsWith(suffix) ||
        (suffix.startsWith('/') && path === suffix.slice(1))
    }
    default:
      return simulate(tokens)
  }
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
