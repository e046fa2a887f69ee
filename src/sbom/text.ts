/** One `Key: value` paragraph; keys as written, repeated keys keep every value in order. */
export type Fields = Map<string, string[]>

/**
 * Splits RFC 822-style text (dpkg's status, Python's METADATA/PKG-INFO) into paragraphs of
 * fields. A line starting with a space or tab continues the previous field (joined with `\n`);
 * a blank line ends a paragraph. With `headersOnly` (email headers, as Python's core metadata
 * is), only an empty line ends the headers, a line of spaces continues a field (a licence text's
 * blank line), and parsing stops there: the rest of a METADATA file is the long description.
 */
export function parseParagraphs(text: string, headersOnly = false): Fields[] {
  const paragraphs: Fields[] = []
  let current: Fields = new Map()
  let lastKey: string | undefined
  for (const line of text.split(/\r?\n/)) {
    if (headersOnly ? line === '' : line.trim() === '') {
      if (current.size > 0) paragraphs.push(current)
      current = new Map()
      lastKey = undefined
      if (headersOnly && paragraphs.length > 0) break
      continue
    }
    if ((line[0] === ' ' || line[0] === '\t') && lastKey !== undefined) {
      const values = current.get(lastKey)!
      values[values.length - 1] += '\n' + line.trim()
      continue
    }
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    lastKey = line.slice(0, colon).trim()
    const value = line.slice(colon + 1).trim()
    const values = current.get(lastKey)
    if (values) values.push(value)
    else current.set(lastKey, [value])
  }
  if (current.size > 0) paragraphs.push(current)
  return paragraphs
}

/** The first value of a field (case-insensitive key), or undefined when absent or empty. */
export function field(fields: Fields, key: string): string | undefined {
  const lower = key.toLowerCase()
  for (const [k, values] of fields) {
    if (k.toLowerCase() === lower) return values[0] || undefined
  }
  return undefined
}

/** Every value of a field (case-insensitive key). */
export function fieldAll(fields: Fields, key: string): string[] {
  const lower = key.toLowerCase()
  const out: string[] = []
  for (const [k, values] of fields) {
    if (k.toLowerCase() === lower) out.push(...values)
  }
  return out
}

/** `os-release`/`.properties`-style `KEY=value` lines; quotes and `#` comments handled. */
export function parseKeyValues(
  text: string,
  separator: RegExp = /=/
): Map<string, string> {
  const out = new Map<string, string>()
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue
    const match = separator.exec(line)
    if (!match || match.index === 0) continue
    const key = line.slice(0, match.index).trim()
    let value = line.slice(match.index + match[0].length).trim()
    if (
      value.length >= 2 &&
      (value[0] === '"' || value[0] === "'") &&
      value.endsWith(value[0])
    ) {
      value = value.slice(1, -1).replace(/\\(["'\\$`])/g, '$1')
    }
    out.set(key, value)
  }
  return out
}

/** The last path segment. */
export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

/** Everything before the last `/`, or '' for a top-level name. */
export function dirname(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash < 0 ? '' : path.slice(0, slash)
}
