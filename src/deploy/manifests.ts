import { randomBytes } from 'node:crypto'
import {
  chmod,
  glob,
  lstat,
  readFile,
  realpath,
  rename,
  rm,
  writeFile
} from 'node:fs/promises'
import {
  basename,
  dirname,
  isAbsolute,
  join,
  relative,
  resolve,
  sep
} from 'node:path'
import { InputError } from '../errors'
import type { ImageTarget, ManifestChange, ManifestEdit } from './edit'

/** What one file would become. */
export interface FilePlan {
  /** Relative to the repository root, with forward slashes. */
  path: string
  /** The regular file written: `path`, or a link's target inside the repository. */
  file: string
  before: string
  after: string
  changes: ManifestChange[]
  matches: number
}

export interface ManifestPlan {
  files: FilePlan[]
  warnings: string[]
  /** For the debug log. */
  notes: string[]
}

/** A listed manifest: the path as matched, and the file that is read and edited. */
export interface ManifestFile {
  /** Relative to the repository root, with forward slashes, as the pattern matched it. */
  path: string
  /** The regular file behind it, relative to the root: a link's target inside the repository. */
  file: string
}

function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate)
  return (
    rel === '' ||
    (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))
  )
}

/**
 * The regular file `path` names inside `root`, following links only while they stay inside: a
 * link (or a linked directory) leading out of the repository is refused, so no file outside it
 * is ever read, written or committed.
 */
export async function fileInside(root: string, path: string): Promise<string> {
  const realRoot = await realpath(root)
  const lexical = resolve(realRoot, path)
  if (!isInside(realRoot, lexical))
    throw new Error(`${path} is outside the repository`)
  let real: string
  try {
    real = await realpath(lexical)
  } catch {
    throw new Error(`${path} is a broken link or does not exist`)
  }
  if (!isInside(realRoot, real))
    throw new Error(
      `${path} leads through a link to ${real}, outside the repository; manifests are only edited inside it`
    )
  if (!(await lstat(real)).isFile())
    throw new Error(`${path} is not a regular file`)
  return relative(realRoot, real).split(sep).join('/')
}

/** Expands the `manifests` list (files and globs, relative to the repository root) in order. */
export async function expandManifests(
  root: string,
  patterns: readonly string[]
): Promise<ManifestFile[]> {
  const files: ManifestFile[] = []
  for (const pattern of patterns) {
    if (pattern.startsWith('/') || pattern.split('/').includes('..')) {
      throw new InputError(
        'manifests',
        `"${pattern}" must be relative to the repository root and stay inside it`
      )
    }
    const found: string[] = []
    for await (const match of glob(pattern, { cwd: root }))
      found.push(match.split(sep).join('/'))
    if (found.length === 0) {
      throw new InputError(
        'manifests',
        `"${pattern}" matches no file in ${root}`
      )
    }
    for (const path of found.sort()) {
      if (files.some(f => f.path === path)) continue
      let file: string
      try {
        file = await fileInside(root, path)
      } catch (error) {
        throw new InputError(
          'manifests',
          `"${pattern}" matches ${(error as Error).message}`
        )
      }
      // Two links to one file: it is edited once.
      if (!files.some(f => f.file === file)) files.push({ path, file })
    }
  }
  return files
}

/** A manifest file as read once: what is checked is exactly what is edited later. */
export interface ManifestText extends ManifestFile {
  text: string
}

export async function readManifests(
  root: string,
  files: readonly ManifestFile[]
): Promise<ManifestText[]> {
  return Promise.all(
    files.map(async f => ({
      ...f,
      text: await readFile(join(root, f.file), 'utf8')
    }))
  )
}

/**
 * Edits every file in memory: a parse error, or a file without the image when `requireMatch`,
 * stops the run here, before anything is pushed or written.
 */
export async function planManifests(
  manifests: readonly ManifestText[],
  target: ImageTarget,
  requireMatch: boolean
): Promise<ManifestPlan> {
  // The editor and its YAML library: loaded by the runs that edit manifests, not at start-up.
  const { editManifest } = await import('./edit')
  const plans: FilePlan[] = []
  const warnings: string[] = []
  const notes: string[] = []
  for (const { path, file, text: before } of manifests) {
    const edit = editManifest(path, before, target)
    warnings.push(...edit.warnings)
    notes.push(...edit.notes)
    if (edit.matches === 0) {
      const message = noMatchMessage(path, target, edit)
      if (requireMatch)
        throw new InputError(
          'manifests',
          `${message} (${edit.unmatched.some(f => !f.why) ? 'name the field in manifest-paths, or ' : ''}set manifest-no-match: warning to allow this)`
        )
      warnings.push(message)
    }
    plans.push({
      path,
      file,
      before,
      after: edit.text,
      changes: edit.changes,
      matches: edit.matches
    })
  }
  return { files: plans, warnings, notes }
}

function listed(paths: string[]): string {
  const unique = [...new Set(paths)]
  return unique.length <= 3
    ? unique.join(', ')
    : `${unique.slice(0, 3).join(', ')} and ${unique.length - 3} more`
}

/**
 * Why a file has no reference to pin: where it names the image in fields the editor does not
 * know (with the manifest-paths line that would pin one), and what a rule left alone.
 */
function noMatchMessage(
  path: string,
  target: ImageTarget,
  edit: ManifestEdit
): string {
  let message = `${path} has no reference to ${target.repository}`
  const unknown = edit.unmatched.filter(f => !f.why).map(f => f.path)
  if (unknown.length) {
    message += `; it names the image at ${listed(unknown)}, ${unknown.length === 1 ? 'a field' : 'fields'} the editor does not know. If ${unknown.length === 1 ? 'that field deploys' : 'they deploy'} it, list ${unknown.length === 1 ? 'it' : 'them'} in manifest-paths: "${unknown[0]}=reference" for a whole reference, or PATH=tag and PATH=digest for separate tag and digest fields`
  }
  const ruled = edit.unmatched.filter(f => f.why)
  const reasons = [...new Set(ruled.map(f => f.why))]
  if (ruled.length) {
    message += `; left alone: ${reasons
      .map(
        why =>
          `${listed(ruled.filter(f => f.why === why).map(f => f.path))} (${why})`
      )
      .join(', ')}`
  }
  return message
}

/**
 * Replaces a regular file through a temporary file (created new, never through a link) and a
 * rename, so a reader never sees half a file; the file keeps its mode (an executable stays one).
 */
export async function writeAtomically(
  file: string,
  text: string
): Promise<void> {
  const info = await lstat(file)
  if (!info.isFile()) throw new Error(`${file} is not a regular file`)
  const mode = info.mode & 0o7777
  const temporary = join(
    dirname(file),
    `.${basename(file)}.imprint-${process.pid}-${randomBytes(4).toString('hex')}.tmp`
  )
  try {
    await writeFile(temporary, text, { flag: 'wx', mode })
    await chmod(temporary, mode)
    await rename(temporary, file)
  } finally {
    await rm(temporary, { force: true })
  }
}

/** How far ahead a diff looks for the lines to agree again: edits change a line or add one or two. */
const resyncWindow = 16

/**
 * The changed lines as a unified diff without context, for the log and previews. Linear in the
 * file's length: the editor changes values in place and inserts a line here and there, so after a
 * difference the two texts agree again within a few lines (two equal lines in a row, or the end).
 */
export function lineDiff(plan: FilePlan): string {
  const a = plan.before.split('\n').map(l => l.replace(/\r$/, ''))
  const b = plan.after.split('\n').map(l => l.replace(/\r$/, ''))
  const agree = (i: number, j: number): boolean =>
    (i >= a.length && j >= b.length) ||
    (i < a.length &&
      j < b.length &&
      a[i] === b[j] &&
      (i + 1 >= a.length || j + 1 >= b.length || a[i + 1] === b[j + 1]))
  const out = [`--- a/${plan.path}`, `+++ b/${plan.path}`]
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++
      j++
      continue
    }
    // The nearest point where both sides agree again: fewest lines skipped first.
    let skip: [number, number] = [a.length - i, b.length - j]
    search: for (let total = 1; total <= 2 * resyncWindow; total++) {
      for (
        let di = Math.max(0, total - resyncWindow);
        di <= Math.min(total, resyncWindow);
        di++
      ) {
        if (agree(i + di, j + total - di)) {
          skip = [di, total - di]
          break search
        }
      }
    }
    const [di, dj] = skip
    out.push(
      `@@ -${i + 1},${di} +${j + 1},${dj} @@`,
      ...a.slice(i, i + di).map(l => `-${l}`),
      ...b.slice(j, j + dj).map(l => `+${l}`)
    )
    i += di
    j += dj
  }
  return out.join('\n')
}
