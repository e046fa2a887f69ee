import { distroQualifier } from '../distro'
import { purl } from '../purl'
import { basename, field, parseParagraphs } from '../text'
import type { Cataloger, CatalogContext, FileSource, Package } from '../types'

const statusPath = /^var\/lib\/dpkg\/status$/
/** distroless writes one file per package (and `<name>.md5sums` beside it) instead of `status`. */
const statusDPath = /^var\/lib\/dpkg\/status\.d\/[^/]+$/
const copyrightPath = /^usr\/share\/doc\/([^/]+)\/copyright$/

/** dpkg's `Status` words for a package whose files are no longer there. */
const absent = new Set(['not-installed', 'config-files'])

/**
 * Licences from a machine-readable (DEP-5) copyright file: every `License:` field's short name,
 * in order of first appearance. Other copyright files name no licence in a way a reader can trust.
 */
export function copyrightLicenses(text: string): string[] {
  const out: string[] = []
  for (const match of text.matchAll(/^License:[ \t]*(\S[^\n]*)$/gm)) {
    const name = match[1].trim()
    if (name && !out.includes(name)) out.push(name)
  }
  return out
}

function wanted(path: string): boolean {
  if (statusPath.test(path) || copyrightPath.test(path)) return true
  return statusDPath.test(path) && !basename(path).endsWith('.md5sums')
}

/** Debian packages from `var/lib/dpkg/status` or distroless's `var/lib/dpkg/status.d/*`. */
export const dpkgCataloger: Cataloger = {
  name: 'dpkg',
  reads: 'whole',
  wants: wanted,
  async catalog(
    files: FileSource[],
    context: CatalogContext
  ): Promise<Package[]> {
    const licenses = new Map<string, string[]>()
    for (const file of files) {
      const match = copyrightPath.exec(file.path)
      if (!match) continue
      const found = copyrightLicenses((await file.read()).toString('utf8'))
      if (found.length > 0) licenses.set(match[1], found)
    }
    const namespace = context.distro?.id ?? 'debian'
    const distro = distroQualifier(context.distro)
    const packages: Package[] = []
    for (const file of files) {
      if (copyrightPath.test(file.path)) continue
      const text = (await file.read()).toString('utf8')
      for (const paragraph of parseParagraphs(text)) {
        const name = field(paragraph, 'Package')
        const version = field(paragraph, 'Version')
        if (!name || !version) continue
        const status = field(paragraph, 'Status')?.split(/\s+/)
        if (status && absent.has(status[status.length - 1])) continue
        const arch = field(paragraph, 'Architecture')
        // `Source: glibc` or `Source: glibc (2.36-9)` when the source version differs.
        const source = /^(\S+)(?:\s+\((\S+)\))?/.exec(
          field(paragraph, 'Source') ?? ''
        )
        let upstream: string | undefined
        if (source && (source[1] !== name || source[2])) {
          upstream = source[2] ? `${source[1]}@${source[2]}` : source[1]
        }
        const declared = licenses.get(name)
        packages.push({
          type: 'deb',
          name,
          version,
          purl: purl({
            type: 'deb',
            namespace,
            name: name.toLowerCase(),
            version,
            qualifiers: { arch, distro, upstream }
          }),
          ...(declared ? { licenses: declared } : {}),
          locations: [{ layer: file.layer ?? context.layer, path: file.path }]
        })
      }
    }
    return packages
  }
}
