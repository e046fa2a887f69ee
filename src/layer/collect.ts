import { lstat, readdir, readlink, realpath, stat } from 'node:fs/promises'
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

function byteOrder(a: TarEntry, b: TarEntry): number {
  return Buffer.compare(Buffer.from(a.path), Buffer.from(b.path))
}

/**
 * Lists what one `layers` line puts into its layer, sorted by path. Symlinks inside the source are
 * kept as links and never followed; nothing outside `root` is read.
 */
export async function collectEntries(
  root: string,
  source: string,
  destination: string,
  warn: Warn
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
  const actual = await stat(actualPath)

  const dest = posix
    .normalize(destination)
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
  const entries: TarEntry[] = []
  const addParents = (path: string): void => {
    const parts = path.split('/')
    for (let i = 1; i < parts.length; i++) {
      entries.push({
        type: 'dir',
        path: parts.slice(0, i).join('/'),
        mode: 0o755
      })
    }
  }

  if (actual.isDirectory()) {
    if (dest !== '') {
      addParents(dest)
      entries.push({ type: 'dir', path: dest, mode: 0o755 })
    }
    await walk(actualPath, dest, entries, warn)
  } else if (actual.isFile()) {
    const target =
      destination.endsWith('/') || dest === ''
        ? posix.join(dest, posix.basename(source.replace(/\/+$/, '')))
        : dest
    addParents(target)
    entries.push({
      type: 'file',
      path: target,
      mode: normaliseMode(actual.mode),
      size: actual.size,
      source: actualPath
    })
  } else {
    throw new Error(`source "${source}" is neither a file nor a directory`)
  }
  return entries.sort(byteOrder)
}

async function walk(
  dir: string,
  prefix: string,
  entries: TarEntry[],
  warn: Warn
): Promise<void> {
  const children = await readdir(dir, { withFileTypes: true })
  for (const child of children) {
    const fsPath = join(dir, child.name)
    const path = prefix === '' ? child.name : `${prefix}/${child.name}`
    if (child.isSymbolicLink()) {
      entries.push({ type: 'symlink', path, target: await readlink(fsPath) })
    } else if (child.isDirectory()) {
      entries.push({ type: 'dir', path, mode: 0o755 })
      await walk(fsPath, path, entries, warn)
    } else if (child.isFile()) {
      const info = await lstat(fsPath)
      entries.push({
        type: 'file',
        path,
        mode: normaliseMode(info.mode),
        size: info.size,
        source: fsPath
      })
    } else {
      warn(
        `${fsPath} is not a regular file, directory or symlink; left out of the layer`
      )
    }
  }
}
