import { npmPurl } from '../purl'
import { dirname } from '../text'
import type { Cataloger, CatalogContext, FileSource, Package } from '../types'

/** An installed package's manifest: `…/node_modules/name/package.json` or `…/node_modules/@scope/name/package.json`. */
const manifestPath =
  /(^|\/)node_modules\/(@[^/]+\/)?[^/.@][^/]*\/package\.json$/
/** An application's lockfile (not one shipped inside a dependency). */
const lockPath = /(^|\/)(package-lock|npm-shrinkwrap)\.json$/

function wanted(path: string): boolean {
  if (manifestPath.test(path)) return true
  return lockPath.test(path) && !/(^|\/)node_modules\//.test(path)
}

/** The declared licence of a manifest or lockfile entry: `license`, or the legacy forms. */
export function npmLicenses(manifest: Record<string, unknown>): string[] {
  const one = (value: unknown): string | undefined => {
    if (typeof value === 'string') return value.trim() || undefined
    if (value && typeof value === 'object') {
      const type = (value as { type?: unknown }).type
      return typeof type === 'string' ? type.trim() || undefined : undefined
    }
    return undefined
  }
  const license = one(manifest.license)
  if (license) return [license]
  const list = manifest.licenses
  if (Array.isArray(list)) return list.map(one).filter((l): l is string => !!l)
  const single = one(list)
  return single ? [single] : []
}

function parseJson(
  text: string,
  path: string,
  context: CatalogContext
): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    if (value && typeof value === 'object' && !Array.isArray(value))
      return value as Record<string, unknown>
  } catch (err) {
    context.warn(`${path}: not JSON (${(err as Error).message})`)
  }
  return undefined
}

interface LockEntry {
  name?: unknown
  version?: unknown
  dev?: unknown
  optional?: unknown
  devOptional?: unknown
  link?: unknown
  license?: unknown
  os?: unknown
  cpu?: unknown
}

/**
 * npm packages from installed manifests under `node_modules`, and from lockfiles (v2/v3
 * `packages`) for what a lockfile lists but the image has no manifest for. From a lockfile, what
 * `npm ci --omit=dev` installs: `dev` entries are left out, and so are optional ones restricted
 * to an `os` or `cpu` (other platforms' builds, mostly).
 */
export const npmCataloger: Cataloger = {
  name: 'npm',
  reads: 'whole',
  wants: wanted,
  async catalog(
    files: FileSource[],
    context: CatalogContext
  ): Promise<Package[]> {
    const packages: Package[] = []
    const manifests = new Set(
      files.filter(f => manifestPath.test(f.path)).map(f => f.path)
    )
    for (const file of files) {
      const layer = file.layer ?? context.layer
      const json = parseJson(
        (await file.read()).toString('utf8'),
        file.path,
        context
      )
      if (!json) continue
      if (manifestPath.test(file.path)) {
        const { name, version } = json
        if (typeof name !== 'string' || typeof version !== 'string') continue
        if (!name || !version) continue
        const licenses = npmLicenses(json)
        packages.push({
          type: 'npm',
          name,
          version,
          purl: npmPurl(name, version),
          ...(licenses.length > 0 ? { licenses } : {}),
          locations: [{ layer, path: file.path }]
        })
        continue
      }
      const entries = json.packages
      if (!entries || typeof entries !== 'object') {
        if (json.dependencies)
          context.warn(`${file.path}: lockfile v1 is not read`)
        continue
      }
      const root = dirname(file.path)
      for (const [key, value] of Object.entries(entries)) {
        // '' is the project itself, other keys outside node_modules its workspaces.
        if (!key.includes('node_modules/')) continue
        if (!value || typeof value !== 'object') continue
        const entry = value as LockEntry
        if (entry.link || entry.dev) continue
        // One platform's build among several: which one the image has, only its manifest tells.
        if ((entry.optional || entry.devOptional) && (entry.os || entry.cpu))
          continue
        const installed = `${root ? root + '/' : ''}${key}/package.json`
        if (manifests.has(installed)) continue
        const name =
          typeof entry.name === 'string'
            ? entry.name
            : key.slice(key.lastIndexOf('node_modules/') + 13)
        if (typeof entry.version !== 'string' || !entry.version || !name)
          continue
        const licenses = npmLicenses(entry as Record<string, unknown>)
        packages.push({
          type: 'npm',
          name,
          version: entry.version,
          purl: npmPurl(name, entry.version),
          ...(licenses.length > 0 ? { licenses } : {}),
          locations: [{ layer, path: file.path }]
        })
      }
    }
    return packages
  }
}
