import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

const identity = ['-c', 'user.name=dev', '-c', 'user.email=dev@example.invalid']

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', [...identity, ...args], {
    cwd,
    encoding: 'utf8'
  }).trim()
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
}

/**
 * A bare repository as `origin` and a fresh clone of it as the workspace, like a runner's
 * checkout. `seed` is committed (and pushed) first.
 */
export function originAndClone(seed: Record<string, string>): {
  origin: string
  workspace: string
  sha: string
  clone: () => string
} {
  const base = mkdtempSync(join(tmpdir(), 'imprint-git-'))
  const origin = join(base, 'origin.git')
  git(base, 'init', '-q', '--bare', '-b', 'main', origin)
  const seedDir = join(base, 'seed')
  git(base, 'clone', '-q', origin, seedDir)
  writeFiles(seedDir, seed)
  git(seedDir, 'add', '-A')
  git(seedDir, 'commit', '-q', '-m', 'seed')
  git(seedDir, 'push', '-q', 'origin', 'HEAD:main')
  let n = 0
  const clone = (): string => {
    const dir = join(base, `clone-${n++}`)
    git(base, 'clone', '-q', origin, dir)
    return dir
  }
  const workspace = clone()
  return { origin, workspace, sha: git(workspace, 'rev-parse', 'HEAD'), clone }
}

/** The content of `path` at the tip of `branch` in a bare repository. */
export function show(origin: string, branch: string, path: string): string {
  return execFileSync('git', ['show', `${branch}:${path}`], {
    cwd: origin,
    encoding: 'utf8'
  })
}

/**
 * Installs a pre-push hook that, the first time it runs, lands another commit on origin from a
 * separate clone: a merge that races ours between fetch and push.
 */
export function raceOnFirstPush(
  workspace: string,
  otherClone: string,
  file: string,
  append: string
): void {
  const hook = join(workspace, '.git', 'hooks', 'pre-push')
  const marker = join(workspace, '.git', 'raced')
  writeFileSync(
    hook,
    `#!/bin/sh
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_COMMON_DIR GIT_PREFIX GIT_QUARANTINE_PATH
[ -e "${marker}" ] && exit 0
touch "${marker}"
cd "${otherClone}" || exit 1
git pull -q origin main >/dev/null 2>&1
printf '%s' '${append.replace(/'/g, "'\\''")}' >> "${file}"
git -c user.name=other -c user.email=other@example.invalid commit -q -am "concurrent merge" && git push -q origin HEAD:main
`
  )
  chmodSync(hook, 0o755)
}
