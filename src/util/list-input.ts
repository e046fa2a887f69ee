/** Splits a list input: one item per line (commas too when asked); blank and `#` lines ignored. */
export function parseList(value: string, { commas = false } = {}): string[] {
  return value
    .split(/\r?\n/)
    .map(line => line.trim())
    .filter(line => line !== '' && !line.startsWith('#'))
    .flatMap(line => (commas ? line.split(',') : [line]))
    .map(item => item.trim())
    .filter(item => item !== '')
}

/** Parses `KEY=VALUE`; the value may contain `=` and may be empty. */
export function parseKeyValue(item: string): [string, string] {
  const eq = item.indexOf('=')
  if (eq <= 0) throw new Error(`"${item}" is not KEY=VALUE`)
  const key = item.slice(0, eq).trim()
  if (/\s/.test(key))
    throw new Error(`"${item}": the key must not contain whitespace`)
  return [key, item.slice(eq + 1)]
}
