import { glob, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { InputError } from '../errors'
import {
  editManifest,
  type ImageTarget,
  type ManifestChange,
  type ManifestEdit
} from './edit'

/** What one file would become. */
export interface FilePlan {
  /** Relative to the repository root, with forward slashes. */
  path: string
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

/** Expands the `manifests` list (files and globs, relative to the repository root) in order. */
export async function expandManifests(
  root: string,
  patterns: readonly string[]
): Promise<string[]> {
  const files: string[] = []
  for (const pattern of patterns) {
    if (pattern.startsWith('/') || pattern.split('/').includes('..')) {
      throw new InputError(
        'manifests',

        `"${pattern}" must be relative to the repository root and stay inside it`
      )
    }
    const found: string[] = []
    for await (const match of glob(pattern, { cwd: root }))
      found.push(match.split('\\').join('/'))
    if (found.length === 0) {
      throw new InputError(
        'manifests',
        `"${pattern}" matches no file in ${root}`
      )
    }
    for (const file of found.sort()) if (!files.includes(file)) files.push(file)
  }
  return files
}

/** A manifest file as read once: what is checked is exactly what is edited later. */
export interface ManifestText {
  path: string
  text: string
}

export async function readManifests(
  root: string,
  files: readonly string[]
): Promise<ManifestText[]> {
  return Promise.all(
    files.map(async path => ({
      path,
      text: await readFile(join(root, path), 'utf8')
    }))
  )
}

/**
 * Edits every file in memory: a parse error, or a file without the image when `requireMatch`,
 * stops the run here, before anything is pushed or written.
 */
export function planManifests(
  manifests: readonly ManifestText[],
  target: ImageTarget,
  requireMatch: boolean
): ManifestPlan {
  const plans: FilePlan[] = []
  const warnings: string[] = []
  const notes: string[] = []
  for (const { path, text: before } of manifests) {
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

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
export async function writeAtomically(
  file: string,
  text: string
): Promise<void> {
  const temporary = `${file}.imprint-${process.pid}.tmp`
  try {
    await writeFile(temporary, text)
    await rename(temporary, file)
  } finally {
    await rm(temporary, { force: true })
  }
}

/**
 * The changed lines as a unified diff without context (an LCS over lines; manifests are small),
 * for the log and previews.
 */
export function lineDiff(plan: FilePlan): string {
  const a = plan.before.split('\n').map(l => l.replace(/\r$/, ''))
  const b = plan.after.split('\n').map(l => l.replace(/\r$/, ''))
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () =>
    new Array<number>(b.length + 1).fill(0)
  )
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] =
        a[i] === b[j]
          ? lcs[i + 1][j + 1] + 1
          : Math.max(lcs[i + 1][j], lcs[i][j + 1])
    }
  }
  const out = [`--- a/${plan.path}`, `+++ b/${plan.path}`]
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++
      j++
      continue
    }
    const hunk: string[] = []
    const [startA, startB] = [i, j]
    while (
      (i < a.length || j < b.length) &&
      !(i < a.length && j < b.length && a[i] === b[j])
    ) {
      if (j >= b.length || (i < a.length && lcs[i + 1][j] >= lcs[i][j + 1]))
        hunk.push(`-${a[i++]}`)
      else hunk.push(`+${b[j++]}`)
    }
    out.push(
      `@@ -${startA + 1},${i - startA} +${startB + 1},${j - startB} @@`,
      ...hunk
    )
  }
  return out.join('\n')
}
