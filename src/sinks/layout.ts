import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { digestHex, type Digest } from '../oci/digest'
import {
  canonicalBytes,
  topLevel,
  uniqueBlobs,
  type Artifact,
  type Blob
} from '../oci/image'
import { MediaType } from '../oci/media-types'
import type { Descriptor, ImageIndex } from '../oci/types'

const refName = 'org.opencontainers.image.ref.name'

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false
  )
}

/** Writes a blob through a temporary file, checking its digest, so a layout never holds a torn blob. */
async function writeBlob(dir: string, blob: Blob): Promise<void> {
  const target = join(dir, 'blobs', 'sha256', digestHex(blob.descriptor.digest))
  if (await exists(target)) return
  const temporary = `${target}.${process.pid}.tmp`
  const hash = createHash('sha256')
  const tap = new Transform({
    transform(chunk: Buffer, _, done) {
      hash.update(chunk)
      done(null, chunk)
    }
  })
  try {
    await pipeline(await blob.open(0), tap, createWriteStream(temporary))
    const actual: Digest = `sha256:${hash.digest('hex')}`
    if (actual !== blob.descriptor.digest) {
      throw new Error(`blob ${blob.descriptor.digest} read back as ${actual}`)
    }
    await rename(temporary, target)
  } finally {
    await rm(temporary, { force: true })
  }
}

async function writeBytes(
  dir: string,
  digest: Digest,
  bytes: Buffer
): Promise<void> {
  const target = join(dir, 'blobs', 'sha256', digestHex(digest))
  if (await exists(target)) return
  await writeFile(`${target}.tmp`, bytes)
  await rename(`${target}.tmp`, target)
}

/**
 * Checks, before anything is pushed, that `dir` can hold a layout: a directory (or nothing yet)
 * whose `index.json`, if any, is an OCI index.
 */
export async function checkLayoutTarget(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined)
  if (info && !info.isDirectory()) {
    throw new Error(`${dir} exists and is not a directory`)
  }
  if (!info) {
    await mkdir(dir, { recursive: true })
    return
  }
  const indexPath = join(dir, 'index.json')
  if (await exists(indexPath)) {
    try {
      const index = JSON.parse(await readFile(indexPath, 'utf8')) as ImageIndex
      if (!Array.isArray(index.manifests)) throw new Error('no manifests list')
    } catch (error) {
      throw new Error(
        `${indexPath} is not an OCI image index (${(error as Error).message}); choose an empty directory`
      )
    }
  }
}

/**
 * Writes an artifact into an OCI image layout (image-spec `image-layout.md`), adding one
 * `index.json` entry per tag (`org.opencontainers.image.ref.name`) and replacing older entries of
 * the same names. Other images in the layout are kept.
 */
export async function writeLayout(
  dir: string,
  artifact: Artifact,
  tags: readonly string[]
): Promise<void> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true })
  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
  for (const blob of uniqueBlobs(artifact)) await writeBlob(dir, blob)
  const images = artifact.kind === 'image' ? [artifact] : artifact.images
  for (const img of images) await writeBytes(dir, img.digest, img.manifestBytes)
  const top = topLevel(artifact)
  await writeBytes(dir, top.digest, top.bytes)

  const indexPath = join(dir, 'index.json')
  let existing: ImageIndex = {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: []
  }
  if (await exists(indexPath))
    existing = JSON.parse(await readFile(indexPath, 'utf8')) as ImageIndex
  const names = new Set(tags)
  const kept = existing.manifests.filter(d => {
    const name = d.annotations?.[refName]
    return name === undefined ? d.digest !== top.digest : !names.has(name)
  })
  const base: Descriptor = {
    mediaType: top.mediaType,
    digest: top.digest,
    size: top.bytes.length
  }
  const added = tags.length
    ? tags.map(tag => ({ ...base, annotations: { [refName]: tag } }))
    : [base]
  const updated: ImageIndex = {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: [...kept, ...added]
  }
  await writeFile(`${indexPath}.tmp`, canonicalBytes(updated))
  await rename(`${indexPath}.tmp`, indexPath)
}
