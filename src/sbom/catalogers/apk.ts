import { distroQualifier } from '../distro'
import { purl } from '../purl'
import type { Cataloger, CatalogContext, FileSource, Package } from '../types'

const installedPath = /^lib\/apk\/db\/installed$/

/**
 * Records of apk's installed database: blank-line separated, one `X:value` field a line
 * (P name, V version, A arch, L licence, o origin; file lists R/F/Z are repeated and ignored).
 */
export function parseApkInstalled(text: string): Map<string, string>[] {
  const records: Map<string, string>[] = []
  let current = new Map<string, string>()
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (current.size > 0) records.push(current)
      current = new Map()
      continue
    }
    if (line[1] !== ':') continue
    const key = line[0]
    // The first value of a key wins: the per-file keys (R, Z, a, M) repeat.
    if (!current.has(key)) current.set(key, line.slice(2).trim())
  }
  if (current.size > 0) records.push(current)
  return records
}

/** Alpine, Wolfi and Chainguard packages from `lib/apk/db/installed`. */
export const apkCataloger: Cataloger = {
  name: 'apk',
  reads: 'whole',
  wants: path => installedPath.test(path),
  async catalog(
    files: FileSource[],
    context: CatalogContext
  ): Promise<Package[]> {
    const namespace = context.distro?.id ?? 'alpine'
    const distro = distroQualifier(context.distro)
    const packages: Package[] = []
    for (const file of files) {
      const text = (await file.read()).toString('utf8')
      for (const record of parseApkInstalled(text)) {
        const name = record.get('P')
        const version = record.get('V')
        if (!name || !version) continue
        const origin = record.get('o')
        const license = record.get('L')
        packages.push({
          type: 'apk',
          name,
          version,
          purl: purl({
            type: 'apk',
            namespace,
            name: name.toLowerCase(),
            version,
            qualifiers: {
              arch: record.get('A'),
              distro,
              upstream: origin && origin !== name ? origin : undefined
            }
          }),
          ...(license ? { licenses: [license] } : {}),
          locations: [{ layer: file.layer ?? context.layer, path: file.path }]
        })
      }
    }
    return packages
  }
}
