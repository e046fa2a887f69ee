import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/** A real git repository holding `files`, committed at a fixed time; returns its path and HEAD. */
export function gitWorkspace(
  files: Record<string, string>,
  options: { executable?: string[]; commitTime?: number } = {}
): { dir: string; sha: string } {
  const dir = mkdtempSync(join(tmpdir(), 'imprint-ws-'))
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
  for (const path of options.executable ?? []) chmodSync(join(dir, path), 0o755)
  const date = `${options.commitTime ?? 1700000000} +0000`
  const env = {
    ...process.env,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date
  }
  const git = (...args: string[]): string =>
    execFileSync(
      'git',
      ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args],
      { cwd: dir, env, encoding: 'utf8' }
    ).trim()
  git('init', '-q', '-b', 'main')
  git('add', '-A')
  git('commit', '-q', '-m', 'app')
  return { dir, sha: git('rev-parse', 'HEAD') }
}
