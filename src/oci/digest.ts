import { createHash } from 'node:crypto'

/** A content address, always `sha256:<64 lower-case hex>`. */
export type Digest = `sha256:${string}`

const digestPattern = /^sha256:[a-f0-9]{64}$/

export function isDigest(value: string): value is Digest {
  return digestPattern.test(value)
}

export function sha256(data: Uint8Array | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`
}

/** The hex part of a digest, as used in blob paths and fallback tags. */
export function digestHex(digest: Digest): string {
  return digest.slice('sha256:'.length)
}
