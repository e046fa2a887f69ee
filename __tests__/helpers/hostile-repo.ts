import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { git } from './git-origin'

/** What a path holds, as `lstat` sees it: enough to prove that nothing was written. */
export type Snapshot = Record<
  string,
  | { type: 'file'; mode: number; content: string; encoding?: 'base64' }
  | { type: 'dir'; mode: number }
  | { type: 'symlink'; target: string }
  | { type: 'other' }
>

/** Every entry under `path` (or `path` itself), without following symlinks. */
export function snapshot(path: string): Snapshot {
  const out: Snapshot = {}
  const visit = (full: string, name: string): void => {
    const info = lstatSync(full)
    if (info.isSymbolicLink()) {
      out[name] = { type: 'symlink', target: readlinkSync(full) }
    } else if (info.isFile()) {
      const bytes = readFileSync(full)
      const text = bytes.toString('utf8')
      // Text as text, so that a failing comparison shows what was written.
      out[name] = Buffer.from(text, 'utf8').equals(bytes)
        ? { type: 'file', mode: info.mode & 0o7777, content: text }
        : {
            type: 'file',
            mode: info.mode & 0o7777,
            content: bytes.toString('base64'),
            encoding: 'base64'
          }
    } else if (info.isDirectory()) {
      out[name] = { type: 'dir', mode: info.mode & 0o7777 }
      for (const child of readdirSync(full).sort())
        visit(join(full, child), `${name}/${child}`)
    } else {
      out[name] = { type: 'other' }
    }
  }
  visit(path, '.')
  return out
}

/**
 * A directory outside every repository, holding files the action must never write: the
 * stand-in for a runner's home, another checkout or `/etc`. Modes are unusual on purpose.
 */
export function outsideDirectory(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'imprint-outside-'))
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), content)
    chmodSync(join(dir, path), 0o640)
  }
  return dir
}

/**
 * Commits symlinks (path → target, as given: absolute or relative) in a clone and pushes them to
 * its origin, the way a pull request or a merged commit would bring them in.
 */
export function commitSymlinks(
  workspace: string,
  links: Record<string, string>,
  options: { push?: boolean; message?: string } = {}
): string {
  for (const [path, target] of Object.entries(links)) {
    mkdirSync(dirname(join(workspace, path)), { recursive: true })
    symlinkSync(target, join(workspace, path))
  }
  git(workspace, 'add', '-A')
  git(workspace, 'commit', '-q', '-m', options.message ?? 'links')
  if (options.push ?? true) git(workspace, 'push', '-q', 'origin', 'HEAD:main')
  return git(workspace, 'rev-parse', 'HEAD')
}

/** `mode type object` of a path at a commit, as git stores it (`120000` is a symlink). */
export function treeEntry(repo: string, commit: string, path: string): string {
  return git(repo, 'ls-tree', commit, '--', path).split('\t')[0]
}

/** Whether any object in the repository (any commit, tree or blob) contains `text`. */
export function repositoryContains(repo: string, text: string): boolean {
  const all = git(
    repo,
    'cat-file',
    '--batch-all-objects',
    '--batch-check=%(objectname)'
  )
  for (const id of all.split('\n').filter(Boolean)) {
    if (git(repo, 'cat-file', '-p', id).includes(text)) return true
  }
  return false
}

/**
 * Whether any blob of an OCI layout holds `text`, looking into gzip-compressed layers too: the
 * proof that a file outside the working directory did (or did not) end up in an image.
 */
export function layoutContains(layout: string, text: string): boolean {
  const dir = join(layout, 'blobs', 'sha256')
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return false
  }
  for (const name of names) {
    const raw = readFileSync(join(dir, name))
    const plain =
      raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : Buffer.from(raw)
    if (plain.includes(text) || raw.includes(text)) return true
  }
  return false
}

/** A pull_request event file, as the runner writes it for `GITHUB_EVENT_PATH`. */
export function pullRequestEnvironment(
  sha: string,
  base: string
): Record<string, string> {
  const path = join(mkdtempSync(join(tmpdir(), 'imprint-event-')), 'event.json')
  writeFileSync(
    path,
    JSON.stringify({
      number: 9,
      pull_request: {
        number: 9,
        head: { sha, ref: 'feature', repo: { full_name: 'acme/app' } },
        base: { sha: base, ref: 'main', repo: { full_name: 'acme/app' } }
      }
    })
  )
  return {
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: path,
    GITHUB_SHA: sha,
    GITHUB_HEAD_REF: 'feature',
    GITHUB_BASE_REF: 'main',
    GITHUB_REF: 'refs/pull/9/merge',
    GITHUB_REPOSITORY: 'acme/app'
  }
}

/** A push to main, as the runner describes it. */
export function pushEnvironment(sha: string): Record<string, string> {
  return {
    GITHUB_EVENT_NAME: 'push',
    GITHUB_SHA: sha,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_REF_TYPE: 'branch',
    GITHUB_REPOSITORY: 'acme/app'
  }
}
