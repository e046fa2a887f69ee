import { spawnSync } from 'node:child_process'
import { join, resolve } from 'node:path'

/**
 * Makes PREFIX.key and PREFIX.pub in `dir` with our own command line (`generate-key-pair`), as a
 * user would, the key encrypted with `password`.
 */
export function generateCosignKeys(
  dir: string,
  password: string,
  prefix = 'cosign'
): void {
  const made = spawnSync(
    process.execPath,
    [
      resolve('dist/cli/index.js'),
      'generate-key-pair',
      '--output-key-prefix',
      join(dir, prefix)
    ],
    {
      env: { ...process.env, IMPRINT_KEY_PASSWORD: password },
      encoding: 'utf8'
    }
  )
  if (made.status !== 0)
    throw new Error(`generate-key-pair failed: ${made.stderr}`)
}
