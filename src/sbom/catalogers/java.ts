import { purl } from '../purl'
import { parseKeyValues } from '../text'
import type { Cataloger, CatalogContext, FileSource, Package } from '../types'
import {
  listZip,
  readZipEntry,
  ZipBudget,
  ZipBudgetExceeded,
  type ZipEntry
} from '../zip'

const archivePath = /\.(jar|war|ear|jpi|hpi)$/i
const pomProperties = /^META-INF\/maven\/([^/]+)\/([^/]+)\/pom\.properties$/
/** A jar inside a jar (Spring Boot's BOOT-INF/lib, a war's WEB-INF/lib, …) is read up to this size. */
const nestedLimit = 32 * 1024 * 1024
const maxDepth = 3

/** `Bundle-License` of the main section of a manifest, without OSGi attributes (`;link=…`). */
export function bundleLicense(manifest: string): string | undefined {
  const unwrapped = manifest.replace(/\r?\n /g, '')
  const main = unwrapped.split(/\r?\n\r?\n/)[0]
  const match = /^Bundle-License:[ \t]*(.+)$/m.exec(main)
  const value = match?.[1].split(';')[0].trim()
  return value || undefined
}

function catalogArchive(
  buf: Buffer,
  path: string,
  layer: string,
  depth: number,
  context: CatalogContext,
  out: Package[],
  budget: ZipBudget
): void {
  let entries: ZipEntry[]
  try {
    entries = listZip(buf, budget)
  } catch (err) {
    context.warn(`${path}: ${(err as Error).message}`)
    return
  }
  const found: Package[] = []
  let license: string | undefined
  for (const entry of entries) {
    if (budget.exhausted) break
    const match = pomProperties.exec(entry.name)
    try {
      if (match) {
        const props = parseKeyValues(
          readZipEntry(buf, entry, 1024 * 1024, budget).toString('utf8'),
          /\s*[=:]\s*|\s+/
        )
        const group = props.get('groupId') || match[1]
        const artifact = props.get('artifactId') || match[2]
        const version = props.get('version')
        if (!version) continue
        found.push({
          type: 'maven',
          name: artifact,
          group,
          version,
          purl: purl({
            type: 'maven',
            namespace: group,
            name: artifact,
            version
          }),
          locations: [{ layer, path }]
        })
      } else if (entry.name === 'META-INF/MANIFEST.MF') {
        license = bundleLicense(
          readZipEntry(buf, entry, 1024 * 1024, budget).toString('utf8')
        )
      } else if (archivePath.test(entry.name) && depth < maxDepth) {
        catalogArchive(
          readZipEntry(buf, entry, nestedLimit, budget),
          `${path}:${entry.name}`,
          layer,
          depth + 1,
          context,
          out,
          budget
        )
      }
    } catch (err) {
      const what = `${path}:${entry.name}`
      context.warn(
        err instanceof ZipBudgetExceeded
          ? `${what}: ${err.message}; the rest of the archive is not read`
          : `${what}: ${(err as Error).message}`
      )
    }
  }
  // The manifest speaks for the jar: only trust it for a jar that is one artifact, not a shaded mix.
  if (license && found.length === 1) found[0].licenses = [license]
  out.push(...found)
}

/**
 * The Maven artifacts of one archive (a jar, war, ear…) and the archives inside it, up to three
 * levels deep, all within one `budget` of entries and inflated bytes.
 */
export function archivePackages(
  buf: Buffer,
  path: string,
  layer: string,
  context: CatalogContext,
  budget: ZipBudget = new ZipBudget()
): Package[] {
  const out: Package[] = []
  catalogArchive(buf, path, layer, 0, context, out, budget)
  return out
}

/** Maven artifacts from the `pom.properties` Maven writes into every jar it builds, nested jars included. */
export const javaCataloger: Cataloger = {
  name: 'java',
  reads: 'whole',
  wants: path => archivePath.test(path),
  async catalog(
    files: FileSource[],
    context: CatalogContext
  ): Promise<Package[]> {
    const packages: Package[] = []
    for (const file of files) {
      packages.push(
        ...archivePackages(
          await file.read(),
          file.path,
          file.layer ?? context.layer,
          context
        )
      )
    }
    return packages
  }
}
