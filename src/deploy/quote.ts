import { parse } from 'yaml'

/**
 * Whether `value` must be quoted to stay a string: under YAML 1.2 (the `yaml` package, kubectl) and
 * YAML 1.1 (go-yaml, Helm), and as valid plain-scalar syntax. `58467965`, `0123456`, `1e10`, `on`
 * would otherwise become numbers or booleans.
 */
export function needsQuotes(value: string): boolean {
  if (value === '' || value.trim() !== value) return true
  try {
    return parse(value) !== value || parse(value, { version: '1.1' }) !== value
  } catch {
    return true
  }
}

export function doubleQuoted(value: string): string {
  return JSON.stringify(value)
}

export function singleQuoted(value: string): string {
  return `'${value.replace(/'/g, "''")}'`
}
