import { spawn } from 'node:child_process'
import { findExecutable } from '../util/executable'

/** What a `docker-credential-<name> get` answers: a username and its secret (a password or token). */
export interface HelperAnswer {
  username: string
  secret: string
}

export interface HelperCall {
  /** The suffix after `docker-credential-` (`gcloud`, `ecr-login`, `desktop`). */
  helper: string
  /** What is written on the helper's stdin: the server as the config spells it. */
  serverUrl: string
  /** The registry the credential is for, for messages. */
  registry: string
  /** Where the helper was named, for messages: `credsStore in /home/u/.docker/config.json`. */
  source: string
  /** The front end's environment: `PATH` is where the helper is looked for. */
  env: NodeJS.ProcessEnv
  timeoutMs: number
}

/** The protocol's answer for "nothing stored for this server" (docker-credential-helpers). */
const notFound = 'credentials not found in native keychain'
/** The answer is a few hundred bytes; a helper that prints more is not speaking the protocol. */
const maxOutput = 64 * 1024

/** A credential helper that could not give an answer; never carries what the helper printed. */
export class CredentialHelperError extends Error {
  constructor(call: HelperCall, detail: string) {
    super(
      `credential helper docker-credential-${call.helper} (${call.source}) ${detail}`
    )
    this.name = 'CredentialHelperError'
  }
}

interface Outcome {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: Buffer
  stderr: Buffer
}

/**
 * Runs the helper in a process group of its own, so that when it is stopped (out of time, or
 * printing without end) a script's children go with it and cannot hold its output open.
 */
function runHelper(
  path: string,
  call: HelperCall
): Promise<Outcome | 'timeout' | 'too-large' | Error> {
  // The action's own inputs (the password, the tokens, a signing key) are no business of a helper.
  const env = Object.fromEntries(
    Object.entries(call.env).filter(([key]) => !key.startsWith('INPUT_'))
  )
  return new Promise(resolve => {
    const child = spawn(path, ['get'], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true
    })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    let size = 0
    let settled = false
    const finish = (result: Outcome | 'timeout' | 'too-large' | Error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (typeof result === 'string') {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL')
        } catch {
          // Already gone.
        }
        child.stdout?.destroy()
        child.stderr?.destroy()
      }
      resolve(result)
    }
    const timer = setTimeout(() => finish('timeout'), call.timeoutMs)
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length
      if (size > maxOutput) finish('too-large')
      else into.push(chunk)
    }
    child.stdout.on('data', collect(stdout))
    child.stderr.on('data', collect(stderr))
    child.on('error', error => finish(error))
    child.on('close', (code, signal) =>
      finish({
        code,
        signal,
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr)
      })
    )
    // A helper that exits without reading its input is answered by its exit status, not an EPIPE.
    child.stdin.on('error', () => {})
    child.stdin.end(call.serverUrl)
  })
}

/**
 * `docker-credential-<helper> get` with the server on stdin: the credential, or undefined when the
 * helper has none for it. Anything else (no such helper, a failure, no answer within the time
 * limit, an answer that is not the protocol's JSON) is a `CredentialHelperError` that names the
 * helper and the registry but never repeats the helper's output: it may be a secret.
 */
export async function helperGet(
  call: HelperCall
): Promise<HelperAnswer | undefined> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(call.helper)) {
    throw new Error(
      `${call.source} names the credential helper "${call.helper}", which is not a helper name (docker-credential-<name>)`
    )
  }
  const path = await findExecutable(
    `docker-credential-${call.helper}`,
    call.env
  )
  if (!path) {
    throw new CredentialHelperError(
      call,
      `is not on the PATH; install it, or remove that entry to log in to ${call.registry} another way`
    )
  }
  const outcome = await runHelper(path, call)
  const unshown = 'its output is not shown, as it may hold a secret'
  if (outcome === 'timeout') {
    throw new CredentialHelperError(
      call,
      `did not answer for registry ${call.registry} within ${call.timeoutMs / 1000} s and was stopped`
    )
  }
  if (outcome === 'too-large') {
    throw new CredentialHelperError(
      call,
      `printed more than ${maxOutput / 1024} KiB for registry ${call.registry} and was stopped; ${unshown}`
    )
  }
  if (outcome instanceof Error) {
    const code = (outcome as NodeJS.ErrnoException).code ?? 'an error'
    throw new CredentialHelperError(
      call,
      `could not be started for registry ${call.registry} (${code})`
    )
  }
  if (outcome.code !== 0) {
    const said = `${outcome.stdout.toString('utf8')}\n${outcome.stderr.toString('utf8')}`
    if (said.includes(notFound)) return undefined
    const status =
      outcome.code === null
        ? `killed by ${outcome.signal}`
        : `exit status ${outcome.code}`
    throw new CredentialHelperError(
      call,
      `failed for registry ${call.registry} (${status}); ${unshown}`
    )
  }
  let answer: unknown
  try {
    answer = JSON.parse(outcome.stdout.toString('utf8'))
  } catch {
    // JSON.parse quotes the text it could not read; that text may be the secret.
    answer = undefined
  }
  const { Username, Secret } = (answer ?? {}) as Record<string, unknown>
  if (
    typeof answer !== 'object' ||
    answer === null ||
    typeof Username !== 'string' ||
    typeof Secret !== 'string'
  ) {
    throw new CredentialHelperError(
      call,
      `answered for registry ${call.registry} with something other than the credential JSON ({"ServerURL","Username","Secret"}); ${unshown}`
    )
  }
  // Some helpers answer an empty credential instead of "not found".
  if (!Secret) return undefined
  return { username: Username, secret: Secret }
}
