import { posix } from 'node:path'
import type { Platform } from '../oci/types'

/** One `layers` line: a source relative to the working directory, copied to an absolute path. */
export interface LayerSpec {
  source: string
  destination: string
}

/** Parses `SOURCE:DESTINATION`; the first colon followed by `/` separates the two. */
export function parseLayerSpec(line: string): LayerSpec {
  const match = /^(.+?):(\/.*)$/.exec(line.trim())
  if (!match) {
    if (line.includes(':')) {
      throw new Error(
        `"${line}": the destination must be an absolute path in the image (e.g. dist:/app/dist)`
      )
    }
    throw new Error(
      `"${line}" has no destination (write SOURCE:DESTINATION, e.g. dist:/app/dist)`
    )
  }
  const [, source, destination] = match
  if (posix.isAbsolute(source) || source.startsWith('~')) {
    throw new Error(
      `"${line}": the source must be relative to working-directory, not absolute`
    )
  }
  if (destination.split('/').includes('..')) {
    throw new Error(`"${line}": the destination must not contain ".."`)
  }
  return { source, destination }
}

const placeholder = /\{\{\s*(os|arch|variant)\s*\}\}/g

/** Whether a source names a platform (`{{os}}`…): it is known once the base's platforms are. */
export function namesPlatform(source: string): boolean {
  return new RegExp(placeholder.source).test(source)
}

/** Fills `{{os}}`, `{{arch}}` and `{{variant}}` in a source for one platform. */
export function sourceForPlatform(source: string, platform: Platform): string {
  return source.replace(placeholder, (_, key: string) =>
    key === 'os'
      ? platform.os
      : key === 'arch'
        ? platform.architecture
        : (platform.variant ?? '')
  )
}
