import { execFileSync } from 'node:child_process'

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
