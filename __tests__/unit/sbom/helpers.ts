import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { requireTool } from '../../helpers/tools'
import type { FileSource } from '../../../src/sbom/types'

/** A tool's standard output; a missing tool fails the test (script/setup installs them). */
export function run(tool: string, args: string[], cwd?: string): string {
  return execFileSync(requireTool(tool), args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    ...(cwd ? { cwd } : {})
  })
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `imprint-sbom-${prefix}-`))
}

/** A FileSource over bytes in memory. */
export function memorySource(
  path: string,
  content: string | Buffer,
  extra: Partial<FileSource> = {}
): FileSource {
  const data = Buffer.isBuffer(content) ? content : Buffer.from(content)
  return { path, size: data.length, read: async () => data, ...extra }
}

/** Collects warnings so a test can assert there were none (or which). */
export function warnings(): { warn(message: string): void; list: string[] } {
  const list: string[] = []
  return { warn: (message: string) => list.push(message), list }
}

let pythonPath: string | undefined

/** Runs Python (the interpreter itself, not pyenv's slow shim) and returns its standard output. */
export function python(args: string[], cwd?: string): string {
  pythonPath ??= run('python3', [
    '-c',
    'import sys; print(sys.executable)'
  ]).trim()
  return execFileSync(pythonPath, args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    ...(cwd ? { cwd } : {})
  })
}
