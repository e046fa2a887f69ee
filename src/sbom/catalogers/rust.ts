import { inflateSync } from 'node:zlib'
import { readElf } from '../elf'
import { purl } from '../purl'
import type {
  Cataloger,
  CatalogContext,
  ElfView,
  FileSource,
  Package
} from '../types'

/** cargo-auditable's advice: legitimate audit data fits well within 8 MiB once inflated. */
const maxAuditData = 8 * 1024 * 1024

/** One crate of cargo-auditable's `VersionInfo` (its JSON schema `cargo-auditable.schema.json`). */
export interface AuditablePackage {
  name: string
  version: string
  source: string
  kind?: 'build' | 'runtime'
  root?: boolean
  dependencies?: number[]
}

/** The dependency list cargo-auditable embeds in `.dep-v0`: zlib-compressed JSON `{"packages": […]}`. */
export function readAuditData(elf: ElfView): AuditablePackage[] | undefined {
  const section = elf.section('.dep-v0')
  if (!section) return undefined
  const json: unknown = JSON.parse(
    inflateSync(section, { maxOutputLength: maxAuditData }).toString('utf8')
  )
  const packages = (json as { packages?: unknown }).packages
  if (!Array.isArray(packages)) throw new Error('.dep-v0 has no packages')
  return packages.filter(
    (p): p is AuditablePackage =>
      !!p &&
      typeof p.name === 'string' &&
      typeof p.version === 'string' &&
      typeof p.source === 'string'
  )
}

/**
 * Rust executables built with cargo-auditable: every crate compiled into the binary. Build-time
 * crates (build scripts, proc-macros: `kind: "build"`) are not in the executable and are left out.
 */
export const rustCataloger: Cataloger = {
  name: 'rust',
  reads: 'elf',
  wants: (_path, mode) => (mode & 0o111) !== 0,
  async catalog(
    files: FileSource[],
    context: CatalogContext
  ): Promise<Package[]> {
    const packages: Package[] = []
    for (const file of files) {
      // One unreadable executable is reported and skipped; the others are still read.
      let elf: ElfView | undefined
      try {
        elf = await readElf(file)
      } catch (err) {
        context.warn(`${file.path}: ${(err as Error).message}`)
        continue
      }
      if (!elf) continue
      let crates: AuditablePackage[] | undefined
      try {
        crates = readAuditData(elf)
      } catch (err) {
        context.warn(`${file.path}: .dep-v0: ${(err as Error).message}`)
        continue
      }
      for (const crate of crates ?? []) {
        if (crate.kind === 'build') continue
        packages.push({
          type: 'cargo',
          name: crate.name,
          version: crate.version,
          purl: purl({
            type: 'cargo',
            name: crate.name,
            version: crate.version
          }),
          locations: [{ layer: file.layer ?? context.layer, path: file.path }]
        })
      }
    }
    return packages
  }
}
