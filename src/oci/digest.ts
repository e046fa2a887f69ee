import { createHash } from 'node:crypto'

/** A content address, always `sha256:<64 lower-case hex>`. */
export type Digest = `sha256:${string}`

const digestPattern = /^sha256:[a-f0-9]{64}$/

export function isDigest(value: string): value is Digest {
  return digestPattern.test(value)
}

/** Parses a digest string, throwing an error that says what a digest looks like. */
export function parseDigest(value: string): Digest {
  if (!isDigest(value)) {
    throw new Error(
      `"${value}" is not a sha256 digest (expected sha256: followed by 64 lower-case hex characters)`
    )
  }
  return value
}

export function sha256(data: Uint8Array | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`
}

/** The hex part of a digest, as used in blob paths and fallback tags. */
export function digestHex(digest: Digest): string {
  return digest.slice('sha256:'.length)
}
