/**
 * The matcher behind `.dockerignore` patterns: what moby's `Pattern.compile` makes of one pattern,
 * matched in time proportional to the path's length times the pattern's. moby builds a Go regular
 * expression (RE2, linear); a JavaScript `RegExp` of the same text backtracks, exponentially on
 * patterns such as `*a*a*a*a*b`, and a repository's `.imprintignore` may hold one. So the pattern
 * becomes tokens, and a path is run through every state the pattern could be in at once.
 */
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
export function compile(pattern: string): (path: string) => boolean {
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
