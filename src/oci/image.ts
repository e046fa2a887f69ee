import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { sha256, type Digest } from './digest'
import { MediaType } from './media-types'
import type { Repository } from './reference'
import type {
  Descriptor,
  ImageConfig,
  ImageIndex,
  ImageManifest,
  Platform
} from './types'

/**
 * A blob of an image and a way to read it. Base layers are read only when a sink lacks them;
 * `origin` lets a registry sink mount instead of copy.
 */
export interface Blob {
  readonly descriptor: Descriptor
  open(offset: number): Promise<Readable | AsyncIterable<Uint8Array>>
  readonly origin?: Repository
  /** Layer facts known because we built it: shown in reports. */
  readonly built?: {
    diffId: Digest
    uncompressedSize: number
    source: string
    destination: string
    /** The compressor settings the blob was written with (see `compressorId`). */
    compressor: string
    /** Taken from a previous image by its diffID instead of being compressed again. */
    reusedFrom?: string
  }
}

export function bytesBlob(mediaType: string, bytes: Buffer): Blob {
  return {
    descriptor: { mediaType, digest: sha256(bytes), size: bytes.length },
    open: async offset => Readable.from([bytes.subarray(offset)])
  }
}

export function fileBlob(
  descriptor: Descriptor,
  path: string,
  built?: Blob['built']
): Blob {
  return {
    descriptor,
    built,
    open: async offset =>
      createReadStream(path, { start: offset, highWaterMark: 1024 * 1024 })
  }
}

/** An immutable single-platform image: manifest bytes are final, so its digest is known. */
export interface Image {
  readonly kind: 'image'
  readonly platform: Platform
  readonly manifest: ImageManifest
  readonly manifestBytes: Buffer
  readonly digest: Digest
  readonly config: ImageConfig
  readonly configBlob: Blob
  readonly layers: readonly Blob[]
}

export interface Index {
  readonly kind: 'index'
  readonly index: ImageIndex
  readonly indexBytes: Buffer
  readonly digest: Digest
  readonly images: readonly Image[]
}

export type Artifact = Image | Index

/** Serialises JSON the same way every time (insertion order, no whitespace). */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8')
}

export function image(
  platform: Platform,
  config: ImageConfig,
  layers: Blob[],
  annotations?: Record<string, string>
): Image {
  const configBlob = bytesBlob(MediaType.ociConfig, canonicalBytes(config))
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: configBlob.descriptor,
    layers: layers.map(l => l.descriptor),
    ...(annotations && Object.keys(annotations).length ? { annotations } : {})
  }
  const manifestBytes = canonicalBytes(manifest)
  return {
    kind: 'image',
    platform,
    manifest,
    manifestBytes,
    digest: sha256(manifestBytes),
    config,
    configBlob,
    layers
  }
}

export function imageDescriptor(img: Image): Descriptor {
  return {
    mediaType: img.manifest.mediaType,
    digest: img.digest,
    size: img.manifestBytes.length,
    platform: img.platform
  }
}

export function index(
  images: Image[],
  annotations?: Record<string, string>
): Index {
  const value: ImageIndex = {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: images.map(imageDescriptor),
    ...(annotations && Object.keys(annotations).length ? { annotations } : {})
  }
  const indexBytes = canonicalBytes(value)
  return {
    kind: 'index',
    index: value,
    indexBytes,
    digest: sha256(indexBytes),
    images
  }
}

/** The manifest (or index) bytes and media type a sink writes last. */
export function topLevel(artifact: Artifact): {
  bytes: Buffer
  mediaType: string
  digest: Digest
} {
  return artifact.kind === 'image'
    ? {
        bytes: artifact.manifestBytes,
        mediaType: artifact.manifest.mediaType,
        digest: artifact.digest
      }
    : {
        bytes: artifact.indexBytes,
        mediaType: artifact.index.mediaType,
        digest: artifact.digest
      }
}

/** Every distinct blob of an artifact (layers shared across platforms appear once). */
export function uniqueBlobs(artifact: Artifact): Blob[] {
  const images = artifact.kind === 'image' ? [artifact] : artifact.images
  const seen = new Map<string, Blob>()
  for (const img of images) {
    for (const blob of [...img.layers, img.configBlob]) {
      if (!seen.has(blob.descriptor.digest))
        seen.set(blob.descriptor.digest, blob)
    }
  }
  return [...seen.values()]
}
