import type { Platform } from './types'

const knownOs = new Set([
  'linux',
  'windows',
  'darwin',
  'freebsd',
  'netbsd',
  'openbsd',
  'solaris',
  'illumos',
  'aix',
  'plan9',
  'js',
  'wasip1'
])
const knownArchitectures = new Set([
  'amd64',
  'arm64',
  'arm',
  '386',
  'ppc64le',
  'ppc64',
  's390x',
  'riscv64',
  'mips64le',
  'mips64',
  'mipsle',
  'mips',
  'loong64',
  'wasm'
])

/** Parses `os/arch[/variant]`, e.g. `linux/arm64` or `linux/arm/v7`, rejecting unknown names. */
export function parsePlatform(value: string): Platform {
  const parts = value.trim().split('/')
  const [os, architecture, variant] = parts
  if (
    parts.length < 2 ||
    parts.length > 3 ||
    !os ||
    !architecture ||
    variant === ''
  ) {
    throw new Error(
      `"${value}" is not a platform (expected os/arch or os/arch/variant, e.g. linux/arm64)`
    )
  }
  if (!knownOs.has(os))
    throw new Error(`"${value}": unknown operating system "${os}"`)
  if (!knownArchitectures.has(architecture)) {
    throw new Error(`"${value}": unknown architecture "${architecture}"`)
  }
  return variant === undefined
    ? { os, architecture }
    : { os, architecture, variant }
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/')
}

/**
 * Whether a base image's platform satisfies the requested one. A request without a variant matches
 * any variant, and arm64's implied `v8` matches its absence.
 */
export function platformMatches(
  candidate: Platform,
  wanted: Platform
): boolean {
  if (
    candidate.os !== wanted.os ||
    candidate.architecture !== wanted.architecture
  )
    return false
  if (wanted.variant === undefined) return true
  const normalise = (p: Platform): string | undefined =>
    p.architecture === 'arm64' && p.variant === undefined ? 'v8' : p.variant
  return normalise(candidate) === normalise(wanted)
}
