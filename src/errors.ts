/** One input that cannot be used, with what to do about it. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    /** What is wrong and what to do, without the input's name. */
    readonly detail: string
  ) {
    super(`Input "${input}": ${detail}`)
    this.name = 'InputError'
  }
}

/** Every input problem found at once, so a user fixes them in one round. */
export class InputErrors extends Error {
  constructor(readonly errors: InputError[]) {
    super(errors.map(e => e.message).join('\n'))
    this.name = 'InputErrors'
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
