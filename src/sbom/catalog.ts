import { apkCataloger } from './catalogers/apk'
import { dpkgCataloger } from './catalogers/dpkg'
import { goCataloger } from './catalogers/go'
import { javaCataloger } from './catalogers/java'
import { npmCataloger } from './catalogers/npm'
import { pythonCataloger } from './catalogers/python'
import { rustCataloger } from './catalogers/rust'
import { osReleasePaths, parseOsRelease } from './distro'
import type { Cataloger, Distro, FileSource, Location, Package } from './types'

/** Every cataloger, OS package databases first. */
export const defaultCatalogers: readonly Cataloger[] = [
  dpkgCataloger,
  apkCataloger,
  npmCataloger,
  pythonCataloger,
  javaCataloger,
  goCataloger,
  rustCataloger
]

/**
 * How a scanner should read the file at `path` (no leading slash) with permission bits `mode`:
 * `whole`, `elf` (only the parts binary catalogers need), or undefined when nothing reads it.
 * os-release files are read whole too: they name the distribution of OS packages.
 */
export function readMode(
  path: string,
  mode: number,
  catalogers: readonly Cataloger[] = defaultCatalogers
): 'whole' | 'elf' | undefined {
  if (osReleasePaths.includes(path)) return 'whole'
  let elf = false
  for (const c of catalogers) {
    if (!c.wants(path, mode)) continue
    if (c.reads === 'whole') return 'whole'
    elf = true
  }
  return elf ? 'elf' : undefined
}

/** Where files come from and what else is known about the image. */
export interface CatalogOptions {
  /** Layer of files that name none. */
  layer?: string
  /** The distribution; read from the files' os-release otherwise. */
  distro?: Distro
  catalogers?: readonly Cataloger[]
  warn?(message: string): void
}

export interface CatalogResult {
  /** Sorted by purl; one entry per purl, with every location it was found at. */
  packages: Package[]
  distro?: Distro
}

function compareLocations(a: Location, b: Location): number {
  return a.path < b.path
    ? -1
    : a.path > b.path
      ? 1
      : a.layer < b.layer
        ? -1
        : a.layer > b.layer
          ? 1
          : 0
}

/** Merges packages with the same purl (the same package found in several places) and sorts. */
export function mergePackages(packages: Package[]): Package[] {
  const byPurl = new Map<string, Package>()
  for (const p of packages) {
    const seen = byPurl.get(p.purl)
    if (!seen) {
      byPurl.set(p.purl, {
        ...p,
        ...(p.licenses ? { licenses: [...p.licenses] } : {}),
        locations: [...p.locations]
      })
      continue
    }
    for (const l of p.locations) {
      if (!seen.locations.some(s => s.layer === l.layer && s.path === l.path))
        seen.locations.push(l)
    }
    for (const l of p.licenses ?? []) {
      seen.licenses ??= []
      if (!seen.licenses.includes(l)) seen.licenses.push(l)
    }
  }
  const merged = [...byPurl.values()]
  for (const p of merged) p.locations.sort(compareLocations)
  return merged.sort((a, b) => (a.purl < b.purl ? -1 : a.purl > b.purl ? 1 : 0))
}

/**
 * Finds the packages in a set of files (one layer's, or an image's merged view): each cataloger
 * gets the files it wants. A cataloger that fails is run again file by file, and the files that
 * still fail are reported through `warn` and skipped.
 */
export async function catalog(
  files: FileSource[],
  options: CatalogOptions = {}
): Promise<CatalogResult> {
  const warn = options.warn ?? (() => {})
  const layer = options.layer ?? ''
  let distro = options.distro
  if (!distro) {
    for (const path of osReleasePaths) {
      const file = files.find(f => f.path === path)
      if (!file) continue
      try {
        distro = parseOsRelease((await file.read()).toString('utf8'))
      } catch (err) {
        warn(`${path}: ${(err as Error).message}`)
      }
      if (distro) break
    }
  }
  const found: Package[] = []
  for (const cataloger of options.catalogers ?? defaultCatalogers) {
    const mine = files.filter(f => cataloger.wants(f.path, f.mode ?? 0o644))
    if (mine.length === 0) continue
    const context = { distro, layer, warn }
    try {
      found.push(...(await cataloger.catalog(mine, context)))
    } catch (err) {
      if (mine.length === 1) {
        warn(
          `${cataloger.name} cataloger: ${mine[0].path}: ${(err as Error).message}`
        )
        continue
      }
      // One file it could not read must not hide the others: each file on its own, and only the
      // ones that fail are left out (and named).
      for (const file of mine) {
        try {
          found.push(...(await cataloger.catalog([file], context)))
        } catch (err) {
          warn(
            `${cataloger.name} cataloger: ${file.path}: ${(err as Error).message}`
          )
        }
      }
    }
  }
  return { packages: mergePackages(found), ...(distro ? { distro } : {}) }
}
