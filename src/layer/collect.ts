import { lstatSync, readdirSync, readlinkSync, type Dirent } from 'node:fs'
import { lstat, realpath } from 'node:fs/promises'
import { isAbsolute, join, posix, relative, resolve, sep } from 'node:path'
import type { TarEntry } from './tar'

/** Reports entries that cannot go into a layer (sockets, devices) and are left out. */
export type Warn = (message: string) => void

function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate)
  return (
    rel === '' ||
    (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel))
  )
}

function normaliseMode(mode: number): number {
  return mode & 0o111 ? 0o755 : 0o644
}

/** Sorted by the bytes of their paths (not UTF-16 units), each path encoded once. */
function inByteOrder(entries: TarEntry[]): TarEntry[] {
  return entries
    .map(entry => ({ entry, key: Buffer.from(entry.path) }))
    .sort((a, b) => Buffer.compare(a.key, b.key))
    .map(({ entry }) => entry)
}

/**
 * Lists what one `layers` line puts into its layer, sorted by path. Symlinks inside the source are
 * kept as links and never followed; nothing outside `root` is read.
 *
 * The directories above what the source provides get no entries: a runtime creates missing ones
 * (`0755`, root) and keeps the base's own (`/tmp` stays `1777`, a user's home keeps its owner).
 * The destination directory gets an entry only when `ownDestination` (a layer owner other than
 * root, which it should own); otherwise it too keeps the base's metadata, or is created as above.
 */
export async function collectEntries(
  root: string,
  source: string,
  destination: string,
  warn: Warn,
  options: { ownDestination?: boolean } = {}
): Promise<TarEntry[]> {
  const realRoot = await realpath(root)
  const sourcePath = resolve(realRoot, source)
  if (!isInside(realRoot, sourcePath)) {
    throw new Error(`source "${source}" is outside working-directory`)
  }
  const info = await lstat(sourcePath).catch(() => undefined)
  if (!info) throw new Error(`source "${source}" does not exist in ${root}`)
  // realpath resolves symlinks in every component, not only the last one: a symlinked parent
  // directory must not lead outside the working directory either.
  const actualPath = await realpath(sourcePath).catch(() => {
    throw new Error(`source "${source}" is a broken symlink`)
  })
  if (!isInside(realRoot, actualPath)) {
    throw new Error(
      `source "${source}" resolves through a symlink to a path outside working-directory`
    )
  }
  const actual = await lstat(actualPath)

  const dest = posix
    .normalize(destination)
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
  const entries: TarEntry[] = []
  if (actual.isDirectory()) {
    if (dest !== '' && options.ownDestination)
      entries.push({ type: 'dir', path: dest, mode: 0o755 })
    walk(actualPath, dest, entries, warn)
  } else if (actual.isFile()) {
    const target =
      destination.endsWith('/') || dest === ''
        ? posix.join(dest, posix.basename(source.replace(/\/+$/, '')))
        : dest
    entries.push({
      type: 'file',
      path: target,
      mode: normaliseMode(actual.mode),
      size: actual.size,
      source: actualPath,
      identity: { dev: actual.dev, ino: actual.ino }
    })
  } else {
    throw new Error(`source "${source}" is neither a file nor a directory`)
  }
  return inByteOrder(entries)
}

/**
 * Lists a directory tree depth-first. Synchronous on purpose: a `node_modules` has tens of
 * thousands of entries, and one round trip to the thread pool per listing and stat would cost more
 * than the calls themselves; nothing else needs the event loop while sources are listed.
 */
function walk(
  dir: string,
  prefix: string,
  entries: TarEntry[],
  warn: Warn
): void {
  let children: Dirent[]
  try {
    children = readdirSync(dir, { withFileTypes: true })
  } catch (error) {
    throw changedWhileListed(dir, error)
  }
  for (const child of children) {
    const fsPath = join(dir, child.name)
    const path = prefix === '' ? child.name : `${prefix}/${child.name}`
    if (child.isDirectory()) {
      entries.push({ type: 'dir', path, mode: 0o755 })
      walk(fsPath, path, entries, warn)
      continue
    }
    try {
      if (child.isSymbolicLink()) {
        entries.push({ type: 'symlink', path, target: readlinkSync(fsPath) })
      } else if (child.isFile()) {
        const info = lstatSync(fsPath)
        if (!info.isFile()) throw new Error('it is no longer a regular file')
        entries.push({
          type: 'file',
          path,
          mode: normaliseMode(info.mode),
          size: info.size,
          source: fsPath,
          identity: { dev: info.dev, ino: info.ino }
        })
      } else {
        warn(
          `${fsPath} is not a regular file, directory or symlink; left out of the layer`
        )
      }
    } catch (error) {
      // A concurrent step changing the tree gives system errors (EINVAL, ENOENT): say what happened.
      throw changedWhileListed(fsPath, error)
    }
  }
}

function changedWhileListed(path: string, error: unknown): Error {
  return new Error(
    `${path} changed while the layer was being collected (${(error as Error).message}); nothing may change the sources while Imprint runs`
  )
}
