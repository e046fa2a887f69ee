import { pypiPurl } from '../purl'
import { field, fieldAll, parseParagraphs } from '../text'
import type { Cataloger, CatalogContext, FileSource, Package } from '../types'

/** Installed distributions: wheels' `*.dist-info/METADATA`, eggs' `*.egg-info/PKG-INFO` or a bare `*.egg-info` file. */
const metadataPath =
  /(^|\/)[^/]+\.(dist-info\/METADATA|egg-info\/PKG-INFO|egg-info)$/

/**
 * The declared licence of core metadata: `License-Expression` (PEP 639) when present; else a
 * one-line `License` (a multi-line one is the licence text, not a name); else the trove
 * classifiers' `License :: … :: Name`.
 */
export function pythonLicenses(headers: Map<string, string[]>): string[] {
  const expression = field(headers, 'License-Expression')
  if (expression) return [expression]
  const license = field(headers, 'License')
  if (
    license &&
    !license.includes('\n') &&
    license.length <= 120 &&
    !/^(unknown|none)$/i.test(license)
  )
    return [license]
  return fieldAll(headers, 'Classifier')
    .filter(c => c.startsWith('License ::'))
    .map(c => c.split('::').pop()!.trim())
    .filter(name => name !== '' && name !== 'OSI Approved')
}

/** Python distributions installed by pip (wheels) or setuptools (eggs). */
export const pythonCataloger: Cataloger = {
  name: 'python',
  reads: 'whole',
  wants: path => metadataPath.test(path),
  async catalog(
    files: FileSource[],
    context: CatalogContext
  ): Promise<Package[]> {
    const packages: Package[] = []
    for (const file of files) {
      const [headers] = parseParagraphs(
        (await file.read()).toString('utf8'),
        true
      )
      if (!headers) continue
      const name = field(headers, 'Name')
      const version = field(headers, 'Version')
      if (!name || !version) {
        context.warn(`${file.path}: no Name or Version`)
        continue
      }
      const licenses = pythonLicenses(headers)
      packages.push({
        type: 'pypi',
        name,
        version,
        purl: pypiPurl(name, version),
        ...(licenses.length > 0 ? { licenses } : {}),
        locations: [{ layer: file.layer ?? context.layer, path: file.path }]
      })
    }
    return packages
  }
}
