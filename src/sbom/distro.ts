import { parseKeyValues } from './text'
import type { Distro } from './types'

/** The os-release files, in the order systemd reads them (`etc/` wins over `usr/lib/`). */
export const osReleasePaths = ['etc/os-release', 'usr/lib/os-release']

/** Parses an os-release file; undefined when it names no `ID`. */
export function parseOsRelease(text: string): Distro | undefined {
  const values = parseKeyValues(text)
  const id = values.get('ID')?.toLowerCase()
  if (!id) return undefined
  const distro: Distro = { id }
  const versionId = values.get('VERSION_ID')
  if (versionId) distro.versionId = versionId
  const prettyName = values.get('PRETTY_NAME')
  if (prettyName) distro.prettyName = prettyName
  return distro
}

/** The purl `distro` qualifier: `debian-12`, `alpine-3.20.3`, or the bare id on rolling releases. */
export function distroQualifier(
  distro: Distro | undefined
): string | undefined {
  if (!distro) return undefined
  return distro.versionId ? `${distro.id}-${distro.versionId}` : distro.id
}
