import { readElf } from '../elf'
import { golangPurl } from '../purl'
import type {
  Cataloger,
  CatalogContext,
  ElfView,
  FileSource,
  Package
} from '../types'

/** A module line of Go's build info: `mod`/`dep` path, version, sum, and what `=>` replaced it with. */
export interface GoModule {
  path: string
  version: string
  sum?: string
  replace?: { path: string; version: string; sum?: string }
}

/** Go's build information: toolchain version and, for module builds, the main module and deps. */
export interface GoBuildInfo {
  goVersion: string
  /** The `path` line: the main package's import path. */
  path?: string
  main?: GoModule
  deps: GoModule[]
}

function uvarint(buf: Buffer, at: number): [number, number] | undefined {
  let value = 0
  let shift = 0
  for (let i = at; i < buf.length && i < at + 10; i++) {
    value += (buf[i] & 0x7f) * 2 ** shift
    if (buf[i] < 0x80) return [value, i + 1]
    shift += 7
  }
  return undefined
}

/**
 * The two strings of a build-info blob: the Go version and the module information. Go ≥ 1.18
 * writes them inline after the 32-byte header (flag bit 2); older versions store pointers to
 * string headers, which need the rest of the file (`readAddress`).
 */
export function goBuildInfoStrings(
  elf: ElfView
): { version: string; modinfo: string } | undefined {
  const blob = elf.goBuildInfo()
  if (!blob || blob.length < 32) return undefined
  const ptrSize = blob[14]
  const flags = blob[15]
  if (flags & 0x2) {
    const vlen = uvarint(blob, 32)
    if (!vlen || vlen[1] + vlen[0] > blob.length) return undefined
    const version = blob.toString('utf8', vlen[1], vlen[1] + vlen[0])
    const mlen = uvarint(blob, vlen[1] + vlen[0])
    if (!mlen || mlen[1] + mlen[0] > blob.length) return undefined
    return {
      version,
      modinfo: blob.toString('utf8', mlen[1], mlen[1] + mlen[0])
    }
  }
  if (ptrSize !== 4 && ptrSize !== 8) return undefined
  const bigEndian = flags !== 0
  const readPtr = (b: Buffer, at: number): bigint =>
    ptrSize === 8
      ? bigEndian
        ? b.readBigUInt64BE(at)
        : b.readBigUInt64LE(at)
      : BigInt(bigEndian ? b.readUInt32BE(at) : b.readUInt32LE(at))
  const readString = (address: bigint): string | undefined => {
    const header = elf.readAddress(address, 2 * ptrSize)
    if (!header) return undefined
    const length = Number(readPtr(header, ptrSize))
    if (length === 0) return ''
    if (length > 1024 * 1024) return undefined
    return elf.readAddress(readPtr(header, 0), length)?.toString('utf8')
  }
  const version = readString(readPtr(blob, 16))
  const modinfo = readString(readPtr(blob, 16 + ptrSize))
  if (version === undefined || modinfo === undefined) return undefined
  return { version, modinfo }
}

/** Parses the text of `runtime/debug.BuildInfo` as the linker embeds it (sentinels included or not). */
export function parseGoModinfo(
  goVersion: string,
  modinfo: string
): GoBuildInfo {
  // The linker wraps the text in 16-byte sentinels; Go strips them the same way.
  if (modinfo.length >= 33 && modinfo[modinfo.length - 17] === '\n')
    modinfo = modinfo.slice(16, -16)
  const info: GoBuildInfo = { goVersion, deps: [] }
  let last: GoModule | undefined
  for (const line of modinfo.split('\n')) {
    const [kind, path, version = '', sum] = line.split('\t')
    if (kind === 'path') info.path = path
    else if (kind === 'mod' || kind === 'dep') {
      last = { path, version, ...(sum ? { sum } : {}) }
      if (kind === 'mod') info.main = last
      else info.deps.push(last)
    } else if (kind === '=>' && last) {
      last.replace = { path, version, ...(sum ? { sum } : {}) }
    }
  }
  return info
}

/** The build info of a Go executable, or undefined for other files. */
export function readGoBuildInfo(elf: ElfView): GoBuildInfo | undefined {
  const strings = goBuildInfoStrings(elf)
  if (!strings) return undefined
  return parseGoModinfo(strings.version, strings.modinfo)
}

/** Packages of a build: the standard library, the main module and every dependency (as replaced). */
export function goPackages(
  info: GoBuildInfo,
  location: { layer: string; path: string }
): Package[] {
  const packages: Package[] = []
  const add = (name: string, version: string) =>
    packages.push({
      type: 'golang',
      name,
      version,
      purl: golangPurl(name, version),
      locations: [location]
    })
  // `go1.22.1` or `go1.22.1 X:boringcrypto`: the toolchain is the standard library's version.
  const goVersion = /^go(\d[^\s]*)/.exec(info.goVersion)?.[1]
  if (goVersion) add('stdlib', goVersion)
  const modules = info.main ? [info.main, ...info.deps] : info.deps
  for (const mod of modules) {
    // A replacement by another module is what was built; a local directory (no version) is not a module.
    const effective = mod.replace?.version ? mod.replace : mod
    if (!effective.path || !effective.version) continue
    add(effective.path, effective.version)
  }
  return packages
}

/** Go executables: the module build information every `go build` in module mode embeds. */
export const goCataloger: Cataloger = {
  name: 'go',
  reads: 'elf',
  wants: (_path, mode) => (mode & 0o111) !== 0,
  async catalog(
    files: FileSource[],
    context: CatalogContext
  ): Promise<Package[]> {
    const packages: Package[] = []
    for (const file of files) {
      // One unreadable executable is reported and skipped; the others are still read.
      let info: GoBuildInfo | undefined
      try {
        const elf = await readElf(file)
        info = elf && readGoBuildInfo(elf)
      } catch (err) {
        context.warn(`${file.path}: ${(err as Error).message}`)
        continue
      }
      if (!info) continue
      packages.push(
        ...goPackages(info, {
          layer: file.layer ?? context.layer,
          path: file.path
        })
      )
    }
    return packages
  }
}
