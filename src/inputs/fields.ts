import { InputError, messageOf } from '../errors'
import { inputDefaults, type InputName } from './names'

/**
 * Reads raw input strings (missing ones are empty, then the default) and collects every problem,
 * so that a user sees all of them at once and nothing is touched before all inputs are usable.
 */
export class InputReader {
  readonly errors: InputError[] = []
  /** What was read otherwise than written (a name lower-cased), for the log. */
  readonly notices: string[] = []

  constructor(private readonly get: (name: InputName) => string) {}

  /** The value as given (not trimmed, no default): passwords and keys. */
  exact(name: InputName): string {
    return this.get(name)
  }

  /** The trimmed value, or the default when empty. */
  raw(name: InputName): string {
    const value = this.get(name).trim()
    return value === '' ? (inputDefaults[name] ?? '') : value
  }

  /** Parses one input; a failure is recorded against it and `fallback` stands in. */
  field<T>(name: InputName, parse: (value: string) => T, fallback: T): T {
    try {
      return parse(this.raw(name))
    } catch (error) {
      this.fail(name, error)
      return fallback
    }
  }

  /** Like `field`, for inputs whose empty value means "not set". */
  optional<T>(name: InputName, parse: (value: string) => T): T | undefined {
    return this.field(
      name,
      value => (value === '' ? undefined : parse(value)),
      undefined
    )
  }

  fail(name: InputName, error: unknown): void {
    this.errors.push(
      error instanceof InputError
        ? error
        : new InputError(name, messageOf(error))
    )
  }
}

export function parseBoolean(value: string): boolean {
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  throw new Error(`"${value}" is not a boolean (use true or false)`)
}

/** One of a fixed set of words. */
export function oneOf<T extends string>(...allowed: T[]) {
  return (value: string): T => {
    if ((allowed as string[]).includes(value)) return value as T
    throw new Error(`"${value}" is not one of ${allowed.join(', ')}`)
  }
}
