import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'

/**
 * Returns the path of a tool the integration tests need. A missing tool fails the test: CI
 * installs them all (script/setup), so skipping would hide a broken set-up.
 */
export function requireTool(name: string): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], {
      encoding: 'utf8'
    }).trim()
  } catch {
    throw new Error(
      `${name} is not installed; run script/setup (it installs the Debian packages the tests use)`
    )
  }
}

const run = promisify(execFile)

/** skopeo's standard output (async: tests with in-process servers must not block). */
export async function skopeo(...args: string[]): Promise<string> {
  return (
    await run(requireTool('skopeo'), args, { maxBuffer: 64 * 1024 * 1024 })
  ).stdout
}

/** skopeo's standard output, for tests that run the action synchronously anyway. */
export function skopeoSync(...args: string[]): string {
  return execFileSync(requireTool('skopeo'), args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024
  })
}
