import { InputError, InputErrors, messageOf } from './errors'
import { AuthenticationError } from './registry/errors'

/**
 * Turns a failure into the lines a user should see: one per problem, naming the input to fix
 * where an input is at fault. Never a stack trace.
 */
export function failureMessages(error: unknown): string[] {
  if (error instanceof InputErrors) return error.errors.map(e => e.message)
  if (error instanceof InputError) return [error.message]
  if (error instanceof AuthenticationError) {
    if (error.credentialOrigin === 'the username and password inputs') {
      return [
        `Input "password": ${error.message}; check the username and password inputs`
      ]
    }
    return [error.message]
  }
  return [messageOf(error)]
}
