import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  type Dirent
} from 'node:fs'
import { lstat, realpath } from 'node:fs/promises'
import {
  basename,
  dirname,
  isAbsolute,
  join,
  posix,
  relative,
  resolve,
  sep
} from 'node:path'
import { InputError, messageOf } from '../errors'
import {
  IGNORE_FILE,
  IgnoreRules,
  parseIgnoreFile,
  type IgnorePattern,
  type Matched
} from './ignore'
import type { TarEntry } from './tar'
import { letOthersRun } from '../util/slices'

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

/**
 * Sorted by the bytes of their paths. UTF-16 units sort as UTF-8 bytes do except for surrogate
 * pairs (characters above U+FFFF, which UTF-16 puts before U+E000–U+FFFF): only paths holding one
 * need their bytes compared, each path encoded once.
 */
function inByteOrder(entries: TarEntry[]): TarEntry[] {
  if (!entries.some(entry => /[\uD800-\uDFFF]/.test(entry.path)))
    return entries.sort((a, b) =>
      a.path < b.path ? -1 : a.path > b.path ? 1 : 0
    )
  return entries
    .map(entry => ({ entry, key: Buffer.from(entry.path) }))
    .sort((a, b) => Buffer.compare(a.key, b.key))
    .map(({ entry }) => entry)
}

/** How a directory source is filtered, besides its own `.imprintignore`. */
export interface CollectOptions {
  ownDestination?: boolean
  /** The `exclude` input: applied to a directory source before its `.imprintignore`. */
  exclude?: readonly IgnorePattern[]
  /** Hears of each path left out (relative to the source; a directory not listed ends in `/`). */
  excluded?: (path: string) => void
  /** Stops the listing (the run failed before it needed it). */
  signal?: AbortSignal
  /**
   * Directories never listed, wherever they are: what Imprint itself writes (the `oci-layout`
   * directory), which may appear while the sources are listed and must not go into a layer.
   */
  skip?: readonly string[]
}

/**
 * Lists what one `layers` line puts into its layer, sorted by path. Symlinks inside the source are
 * kept as links and never followed; nothing outside `root` is read.
 *
 * A directory source is filtered by the `exclude` patterns, then by those of its own
 * `.imprintignore` (which is never archived): `.dockerignore` rules, relative to the source. A
 * directory they exclude is not listed unless a `!` pattern could include something in it; the
 * directories above an entry included again get entries as if they had not been excluded. A file
 * source is taken whatever the patterns say: it was named.
 *
 * Directories get no entries unless they are empty: a runtime creates those a layer's files need
 * (`0755`, root) and keeps the base's own (`/tmp` stays `1777`, a user's home keeps its owner),
 * whether they are above the destination or inside the source (a source of `rootfs:/` holding
 * `tmp/`). With `ownDestination` (a layer owner other than root, which should own what it brings)
 * every directory of the source and the destination get entries.
 */
export async function collectEntries(
  root: string,
  source: string,
  destination: string,
  warn: Warn,
  options: CollectOptions = {}
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
    const patterns = [
      ...(options.exclude ?? []),
      ...readIgnoreFile(actualPath, posix.join(source, IGNORE_FILE))
    ]
    const rules = patterns.length ? new IgnoreRules(patterns) : undefined
    if (dest !== '' && options.ownDestination)
      entries.push({ type: 'dir', path: dest, mode: 0o755 })
    const state: Walk = {
      entries,
      warn,
      ignore: rules && { rules, excluded: options.excluded, pending: [] },
      left: 0,
      skip: new Set(
        await Promise.all((options.skip ?? []).map(path => realLocation(path)))
      ),
      signal: options.signal
    }
    const before = entries.length
    options.signal?.throwIfAborted()
    await walk(actualPath, dest, '', rules?.top ?? [], state)
    if (entries.length === before && state.left > 0)
      warn(
        `source "${source}": the exclude patterns leave nothing in this layer`
      )
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
  return inByteOrder(
    options.ownDestination ? entries : withoutImpliedDirectories(entries)
  )
}

/**
 * Leaves out the entries of directories that hold something: a runtime creates them when it
 * unpacks what is inside (`0755`, root: what their entries would say), and keeps the base's own
 * (a source holding `tmp/` must not make the base's `/tmp` `0755`). Empty directories keep their
 * entries, or they would not exist.
 */
function withoutImpliedDirectories(entries: TarEntry[]): TarEntry[] {
  const parents = new Set(
    entries.map(({ path }) => path.slice(0, Math.max(0, path.lastIndexOf('/'))))
  )
  return entries.filter(
    entry => entry.type !== 'dir' || !parents.has(entry.path)
  )
}

interface Walk {
  entries: TarEntry[]
  warn: Warn
  ignore?: {
    rules: IgnoreRules
    excluded?: (path: string) => void
    /** Excluded directories being listed for what `!` patterns include: entries once they hold one. */
    pending: string[]
  }
  /** Paths left out by the patterns. */
  left: number
  /** Real paths of directories not listed (`CollectOptions.skip`). */
  skip: Set<string>
  signal?: AbortSignal
}

function add(state: Walk, entry: TarEntry): void {
  const pending = state.ignore?.pending
  if (pending?.length) {
    for (const path of pending)
      state.entries.push({ type: 'dir', path, mode: 0o755 })
    pending.length = 0
  }
  state.entries.push(entry)
}

/**
 * Reads a source's `.imprintignore` without following a link (a symlink is refused, as is anything
 * but a regular file); none gives no patterns.
 */
function readIgnoreFile(dir: string, shown: string): IgnorePattern[] {
  let fd: number
  try {
    // O_NONBLOCK: a FIFO in its place must not hang the build.
    fd = openSync(
      join(dir, IGNORE_FILE),
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK
    )
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return []
    throw new InputError(
      'exclude',
      code === 'ELOOP'
        ? `${shown} is a symlink; it is read without following links: make it a regular file`
        : `${shown} cannot be read (${messageOf(error)})`
    )
  }
  try {
    const info = fstatSync(fd)
    if (!info.isFile())
      throw new InputError('exclude', `${shown} is not a regular file`)
    if (info.size > 1 << 20)
      throw new InputError('exclude', `${shown} is larger than 1 MiB`)
    return parseIgnoreFile(readFileSync(fd, 'utf8'), shown)
  } catch (error) {
    throw error instanceof InputError
      ? error
      : new InputError('exclude', messageOf(error))
  } finally {
    closeSync(fd)
  }
}

/**
 * Lists a directory tree depth-first. Its system calls are synchronous on purpose: a `node_modules`
 * has tens of thousands of entries, and one round trip to the thread pool per listing and stat
 * would cost more than the calls themselves. Between directories it lets the event loop run
 * now and then (`letOthersRun`): sources are listed from the start of a run, beside its git and
 * registry questions.
 *
 * `rel` is the directory's path in the source (empty at its top), what the patterns are matched
 * against; `matched` says which patterns matched it or a directory above it.
 */
async function walk(
  dir: string,
  prefix: string,
  rel: string,
  matched: Matched,
  state: Walk
): Promise<void> {
  await letOthersRun(state.signal)
  let children: Dirent[]
  try {
    children = readdirSync(dir, { withFileTypes: true })
  } catch (error) {
    throw changedWhileListed(dir, error)
  }
  const ignore = state.ignore
  for (const child of children) {
    if (rel === '' && child.name === IGNORE_FILE) continue
    // Joined by hand: `dir` is already normal, and path.join's normalising showed in profiles.
    const fsPath = dir.endsWith(sep)
      ? `${dir}${child.name}`
      : `${dir}${sep}${child.name}`
    const path = prefix === '' ? child.name : `${prefix}/${child.name}`
    const relPath = rel === '' ? child.name : `${rel}/${child.name}`
    if (child.isDirectory() && state.skip.has(fsPath)) continue
    if (child.isDirectory()) {
      let below = matched
      if (ignore) {
        const verdict = ignore.rules.directory(relPath, matched)
        below = verdict.matched
        if (verdict.excluded) {
          if (!ignore.rules.mayIncludeBelow(relPath)) {
            state.left++
            ignore.excluded?.(`${relPath}/`)
            continue
          }
          // Listed only for what a `!` pattern includes again; its entry comes with the first.
          const mark = ignore.pending.length
          ignore.pending.push(path)
          await walk(fsPath, path, relPath, below, state)
          ignore.pending.length = Math.min(ignore.pending.length, mark)
          continue
        }
      }
      add(state, { type: 'dir', path, mode: 0o755 })
      await walk(fsPath, path, relPath, below, state)
      continue
    }
    if (ignore?.rules.excludesFile(relPath, matched)) {
      state.left++
      ignore.excluded?.(relPath)
      continue
    }
    try {
      if (child.isSymbolicLink()) {
        add(state, { type: 'symlink', path, target: readlinkSync(fsPath) })
      } else if (child.isFile()) {
        const info = lstatSync(fsPath)
        if (!info.isFile()) throw new Error('it is no longer a regular file')
        add(state, {
          type: 'file',
          path,
          mode: normaliseMode(info.mode),
          size: info.size,
          source: fsPath,
          identity: { dev: info.dev, ino: info.ino }
        })
      } else {
        state.warn(
          `${fsPath} is not a regular file, directory or symlink; left out of the layer`
        )
      }
    } catch (error) {
      // A concurrent step changing the tree gives system errors (EINVAL, ENOENT): say what happened.
      throw changedWhileListed(fsPath, error)
    }
  }
}

/**
 * Where a path really is, as the walk (which starts from a real path) meets it: the real path of
 * its nearest existing ancestor, then the rest (it may not exist yet).
 */
async function realLocation(path: string): Promise<string> {
  const rest: string[] = []
  for (let at = resolve(path); ;) {
    try {
      return join(await realpath(at), ...rest.reverse())
    } catch {
      const parent = dirname(at)
      if (parent === at) return resolve(path)
      rest.push(basename(at))
      at = parent
    }
  }
}

function changedWhileListed(path: string, error: unknown): Error {
  return new Error(
    `${path} changed while the layer was being collected (${(error as Error).message}); nothing may change the sources while Imprint runs`
  )
}
