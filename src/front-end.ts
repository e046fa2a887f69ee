import { InputError, InputErrors, messageOf } from './errors'
import { inputNames } from './inputs'
import { AuthenticationError } from './registry/errors'

/** Which front end reports: the action speaks of inputs, the command line of flags. */
export type FrontEnd = 'action' | 'cli'

/** Where the command line takes each secret from: the environment, never an option. */
export const cliSecrets: Record<string, string> = {
  password: '$IMPRINT_PASSWORD',
  'signing-key-password': '$IMPRINT_KEY_PASSWORD (or $COSIGN_PASSWORD)',
  'github-token': '$GITHUB_TOKEN'
}

/** An input's name as a user of the front end writes it. */
function named(input: string, frontEnd: FrontEnd): string {
  if (frontEnd === 'action') return `Input "${input}"`
  return cliSecrets[input] ?? `--${input}`
}

/**
 * The advice in a message, in the front end's terms: `allow-tag-overwrite: true` becomes
 * `--allow-tag-overwrite true`, the job's `id-token: write` permission an OIDC token in the
 * environment, the username and password inputs the flag and the variable.
 */
function inCliTerms(message: string): string {
  let text = message
    .replace(
      /give the job "id-token: write"|missing "id-token" permission\. Please add "permissions: id-token: write" to your workflow\./g,
      'set $SIGSTORE_ID_TOKEN to an OIDC token for Fulcio'
    )
    .replace(
      /set the username and password inputs or log in with docker\/login-action/g,
      'pass --username with $IMPRINT_PASSWORD, or log in (docker login, podman login)'
    )
    .replace(
      /check the username and password inputs/g,
      'check --username and $IMPRINT_PASSWORD'
    )
  for (const input of inputNames) {
    const flag = cliSecrets[input] ?? `--${input}`
    text = text
      .replace(
        new RegExp(
          `(?<![-\\w$])${input}: (true|false|warning|error|none|push|pull-request|auto|key|keyless|source-date|[0-9][0-9.:]*)\\b`,
          'g'
        ),
        `${flag} $1`
      )
      .replace(new RegExp(`\\bInput "${input}"`, 'g'), flag)
  }
  return text
}

/**
 * Turns a failure into the lines a user should see: one per problem, naming the input (or, on the
 * command line, the flag or variable) to fix where one is at fault. Never a stack trace.
 */
export function failureMessages(
  error: unknown,
  frontEnd: FrontEnd = 'action'
): string[] {
  const speak = (text: string): string =>
    frontEnd === 'cli' ? inCliTerms(text) : text
  const forInput = (e: InputError): string =>
    speak(`${named(e.input, frontEnd)}: ${e.detail}`)
  if (error instanceof InputErrors) return error.errors.map(forInput)
  if (error instanceof InputError) return [forInput(error)]
  if (
    error instanceof AuthenticationError &&
    error.credentialOrigin === 'the username and password inputs'
  )
    return [
      speak(
        `${named('password', frontEnd)}: ${error.message}; check the username and password inputs`
      )
    ]
  return [speak(messageOf(error))]
}
