import { createHash, type Hash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { Readable, Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import type { Digest } from '../oci/digest'
import { MediaType } from '../oci/media-types'
import { tarStream, type TarEntry, type TarOptions } from './tar'

/** gzip level 6 (zlib's default) is pinned: a different level gives different bytes and digests. */
export const gzipLevel = 6

/** A layer blob written to disk, with both of its content addresses. */
export interface BuiltLayer {
  /** sha256 of the compressed blob: what manifests and registries address. */
  digest: Digest
  /** sha256 of the uncompressed tar: what the image config's `rootfs.diff_ids` lists. */
  diffId: Digest
  size: number
  uncompressedSize: number
  mediaType: string
  path: string
  entries: number
}

class HashTap extends Transform {
  bytes = 0
  constructor(private readonly hash: Hash) {
    super()
  }
  override _transform(
    chunk: Buffer,
    _: BufferEncoding,
    done: TransformCallback
  ): void {
    this.hash.update(chunk)
    this.bytes += chunk.length
    done(null, chunk)
  }
}

/**
 * Writes `entries` as a compressed layer blob at `path`, streaming tar → compressor → file while
 * hashing both the tar (diffID) and the blob (digest) in the same pass.
 */
export async function writeLayer(
  entries: readonly TarEntry[],
  options: TarOptions,
  path: string
): Promise<BuiltLayer> {
  const diffHash = createHash('sha256')
  const blobHash = createHash('sha256')
  const tarTap = new HashTap(diffHash)
  const blobTap = new HashTap(blobHash)
  await pipeline(
    Readable.from(tarStream(entries, options), { objectMode: false }),
    tarTap,
    // zlib writes a gzip header without name and with mtime 0, so only the level matters.
    createGzip({ level: gzipLevel, chunkSize: 64 * 1024 }),
    blobTap,
    createWriteStream(path)
  )
  return {
    digest: `sha256:${blobHash.digest('hex')}`,
    diffId: `sha256:${diffHash.digest('hex')}`,
    size: blobTap.bytes,
    uncompressedSize: tarTap.bytes,
    mediaType: MediaType.ociLayerGzip,
    path,
    entries: entries.length
  }
}
