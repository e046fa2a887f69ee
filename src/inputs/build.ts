import { isAbsolute } from 'node:path'
import { messageOf } from '../errors'
import type { Compression } from '../layer/layer'
import { parsePatterns, type IgnorePattern } from '../layer/ignore'
import { parseLayerSpec, type LayerSpec } from '../layer/layer-spec'
import { parsePlatform } from '../oci/platform'
import { parseReference, type Reference } from '../oci/reference'
import { lastRfc3339Second, type Platform } from '../oci/types'
import { parseKeyValue, parseList } from '../util/list-input'
import { oneOf, type InputReader } from './fields'

/** What the image is made of: the base, the layers, and the container settings. */
export interface BuildInputs {
  base: Reference | 'scratch'
  layers: LayerSpec[]
  /** `.dockerignore` patterns for every directory source, relative to it. */
  exclude: IgnorePattern[]
  platforms: Platform[] | 'all'
  entrypoint?: string[]
  cmd?: string[]
  env: [string, string][]
  workdir?: string
  user?: string
  labels: Record<string, string>
  annotations: Record<string, string>
  workingDirectory: string
  sourceDateEpoch?: number
  /** Seconds since the epoch for every entry in the built layers, or the source date. */
  fileMtime: number | 'source-date'
  /** Owner of every entry in the built layers. */
  layerOwner: { uid: number; gid: number }
  compression: Compression
}

/** A JSON array of strings, or a plain string split on spaces. */
export function parseCommand(value: string): string[] {
  const trimmed = value.trim()
  if (trimmed.startsWith('[')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(trimmed)
    } catch (error) {
      throw new Error(
        `${trimmed} is not valid JSON (${messageOf(error)}); write e.g. ["/app/server","--port","8080"]`
      )
    }
    if (!Array.isArray(parsed) || !parsed.every(p => typeof p === 'string')) {
      throw new Error(`${trimmed} must be a JSON array of strings`)
    }
    return parsed
  }
  return trimmed.split(/\s+/)
}

function parsePlatforms(value: string): Platform[] | 'all' {
  const items = parseList(value, { commas: true })
  if (items.length === 1 && items[0] === 'all') return 'all'
  if (items.length === 0)
    throw new Error('is empty (use e.g. linux/amd64,linux/arm64 or all)')
  const parsed = items.map(parsePlatform)
  const seen = new Set<string>()
  for (const [i, p] of parsed.entries()) {
    if (seen.has(JSON.stringify(p)))
      throw new Error(`"${items[i]}" is listed twice`)
    seen.add(JSON.stringify(p))
  }
  return parsed
}

function parseOwner(value: string, user: string | undefined) {
  const ids = (text: string, what: string): { uid: number; gid: number } => {
    const match = /^(\d+)(?::(\d+))?$/.exec(text)
    if (!match)
      throw new Error(
        `${what} (use root, user, or numeric UID[:GID] such as 65532:65532)`
      )
    const owner = { uid: Number(match[1]), gid: Number(match[2] ?? match[1]) }
    // The USTAR uid/gid fields hold 7 octal digits.
    if (owner.uid > 0o7777777 || owner.gid > 0o7777777) {
      throw new Error(
        `${text}: owner ids above 2097151 do not fit a tar header`
      )
    }
    return owner
  }
  if (value === '' || value === 'root') return { uid: 0, gid: 0 }
  if (value === 'user') {
    return ids(
      user ?? '',
      `"user" needs the user input to be numeric UID[:GID], got "${user ?? ''}"`
    )
  }
  return ids(value, `"${value}" is not an owner`)
}

/**
 * `file-mtime`: whole seconds since the epoch, an RFC 3339 time (whole seconds, a zone), or
 * `source-date`. It must fit the tar header's 11 octal digits.
 */
function parseFileMtime(value: string): number | 'source-date' {
  if (value === 'source-date') return value
  let seconds: number | undefined
  if (/^\d+$/.test(value)) seconds = Number(value)
  else seconds = parseRfc3339(value)
  if (seconds === undefined)
    throw new Error(
      `"${value}" is not a time: write RFC 3339 (2000-01-01T00:00:00Z), seconds since 1970, or source-date`
    )
  if (seconds < 0 || seconds > 0o77777777777)
    throw new Error(`"${value}" is outside what a tar header can hold`)
  return seconds
}

/**
 * An RFC 3339 time in whole seconds, or undefined. A date or time that does not exist
 * (2000-02-30, 24:00:00) is refused rather than rolled over into another one.
 */
function parseRfc3339(value: string): number | undefined {
  const parts =
    /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.0+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/.exec(
      value
    )
  if (!parts) return undefined
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map(Number)
  const utc = new Date(Date.UTC(year, month - 1, day, hour, minute, second))
  const exists =
    utc.getUTCFullYear() === year &&
    utc.getUTCMonth() === month - 1 &&
    utc.getUTCDate() === day &&
    utc.getUTCHours() === hour &&
    utc.getUTCMinutes() === minute &&
    utc.getUTCSeconds() === second
  const [sign, offsetHours, offsetMinutes] = [
    parts[7],
    Number(parts[8] ?? 0),
    Number(parts[9] ?? 0)
  ]
  if (!exists || offsetHours > 23 || offsetMinutes > 59) return undefined
  const offset =
    (offsetHours * 60 + offsetMinutes) * 60 * (sign === '-' ? -1 : 1)
  return utc.getTime() / 1000 - offset
}

const keyValues = (value: string): [string, string][] =>
  parseList(value).map(parseKeyValue)

export function readBuildInputs(
  reader: InputReader,
  merging: boolean
): BuildInputs {
  const user = reader.optional('user', v => v)
  return {
    base: reader.field<Reference | 'scratch'>(
      'base',
      value => (value === 'scratch' ? 'scratch' : parseReference(value)),
      'scratch'
    ),
    layers: reader.field(
      'layers',
      value => {
        const lines = parseList(value)
        if (merging) {
          if (lines.length > 0)
            throw new Error(
              'is not used with merge-digests, which assembles images already pushed; remove one of them'
            )
          return []
        }
        if (lines.length === 0)
          throw new Error(
            'is required: one SOURCE:DESTINATION per line, e.g. dist:/app/dist'
          )
        return lines.map(parseLayerSpec)
      },
      []
    ),
    exclude: reader.field(
      'exclude',
      value => parsePatterns(parseList(value)),
      []
    ),
    platforms: reader.field('platforms', parsePlatforms, []),
    entrypoint: reader.optional('entrypoint', parseCommand),
    cmd: reader.optional('cmd', parseCommand),
    env: reader.field('env', keyValues, []),
    workdir: reader.optional('workdir', value => {
      if (!isAbsolute(value) && !value.startsWith('/'))
        throw new Error(`"${value}" must be an absolute path in the image`)
      return value
    }),
    user,
    labels: reader.field('labels', v => Object.fromEntries(keyValues(v)), {}),
    annotations: reader.field(
      'annotations',
      v => Object.fromEntries(keyValues(v)),
      {}
    ),
    workingDirectory: reader.field('working-directory', value => value, '.'),
    sourceDateEpoch: reader.optional('source-date-epoch', value => {
      if (!/^\d+$/.test(value))
        throw new Error(
          `"${value}" is not a whole number of seconds since 1970-01-01`
        )
      if (Number(value) > lastRfc3339Second)
        throw new Error(
          `"${value}" is after 9999-12-31T23:59:59Z (${lastRfc3339Second}), the last time an image's created field can hold`
        )
      return Number(value)
    }),
    fileMtime: reader.field('file-mtime', parseFileMtime, 946684800),
    layerOwner: reader.field('layer-owner', value => parseOwner(value, user), {
      uid: 0,
      gid: 0
    }),
    compression: reader.field('compression', oneOf('gzip', 'zstd'), 'gzip')
  }
}
