import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import {
  lstat,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  writeFile
} from 'node:fs/promises'
import { isAbsolute, join, relative, sep } from 'node:path'
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

/** What is at `path`, without following a link there. */
async function kind(
  path: string
): Promise<'file' | 'dir' | 'link' | 'other' | undefined> {
  const info = await lstat(path).catch(() => undefined)
  if (!info) return undefined
  if (info.isSymbolicLink()) return 'link'
  return info.isFile() ? 'file' : info.isDirectory() ? 'dir' : 'other'
}

/** A path in the layout must be what it should, never a link (a repository can commit links). */
async function expect(path: string, want: 'file' | 'dir'): Promise<boolean> {
  const found = await kind(path)
  if (found === undefined) return false
  if (found !== want)
    throw new Error(
      `${path} is ${found === 'link' ? 'a symbolic link' : `not a ${want === 'dir' ? 'directory' : 'regular file'}`}; an OCI layout is written only into real directories and files`
    )
  return true
}

/**
 * Writes through a new temporary file (created exclusively, so never through a link planted at
 * its name) and a rename, which replaces the name itself: a reader never sees a torn file.
 */
async function writeNew(
  target: string,
  content: Buffer | string | ((temporary: string) => Promise<void>)
): Promise<void> {
  const temporary = `${target}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`
  try {
    if (typeof content === 'function') await content(temporary)
    else await writeFile(temporary, content, { flag: 'wx' })
    await rename(temporary, target)
  } finally {
    await rm(temporary, { force: true })
  }
}

/** Writes a blob, checking its digest, so a layout never holds a torn or wrong blob. */
async function writeBlob(dir: string, blob: Blob): Promise<void> {
  const target = join(dir, 'blobs', 'sha256', digestHex(blob.descriptor.digest))
  if (await expect(target, 'file')) return
  await writeNew(target, async temporary => {
    const hash = createHash('sha256')
    const tap = new Transform({
      transform(chunk: Buffer, _, done) {
        hash.update(chunk)
        done(null, chunk)
      }
    })
    await pipeline(
      await blob.open(0),
      tap,
      createWriteStream(temporary, { flags: 'wx' })
    )
    const actual: Digest = `sha256:${hash.digest('hex')}`
    if (actual !== blob.descriptor.digest) {
      throw new Error(`blob ${blob.descriptor.digest} read back as ${actual}`)
    }
  })
}

async function writeBytes(
  dir: string,
  digest: Digest,
  bytes: Buffer
): Promise<void> {
  const target = join(dir, 'blobs', 'sha256', digestHex(digest))
  if (await expect(target, 'file')) return
  await writeNew(target, bytes)
}

/**
 * Checks, before anything is built, that `dir` can hold a layout: a directory (or nothing yet)
 * whose `index.json`, if any, is an OCI index, with no symbolic link on the way from `workspace`
 * (a repository may commit `layout -> /elsewhere`) or among the layout's own entries.
 */
export async function checkLayoutTarget(
  dir: string,
  workspace: string
): Promise<void> {
  const rel = relative(workspace, dir)
  if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) {
    let path = workspace
    for (const part of rel.split(sep)) {
      path = join(path, part)
      const found = await kind(path)
      if (found === undefined) break
      if (found === 'link')
        throw new Error(
          `${path} is a symbolic link; choose a directory that is not one (a link in the repository could send the layout anywhere)`
        )
    }
  }
  const found = await kind(dir)
  if (found !== undefined && found !== 'dir')
    throw new Error(`${dir} exists and is not a directory`)
  if (found === undefined) {
    await mkdir(dir, { recursive: true })
    return
  }
  for (const [entry, want] of [
    ['oci-layout', 'file'],
    ['index.json', 'file'],
    ['blobs', 'dir'],
    [join('blobs', 'sha256'), 'dir']
  ] as const)
    await expect(join(dir, entry), want)
  // A layout holds no links; one planted among its files (a temporary name, a blob) is refused.
  for (const sub of [dir, join(dir, 'blobs'), join(dir, 'blobs', 'sha256')]) {
    const entries = await readdir(sub, { withFileTypes: true }).catch(() => [])
    const link = entries.find(e => e.isSymbolicLink())
    if (link)
      throw new Error(
        `${join(sub, link.name)} is a symbolic link; an OCI layout holds none (choose another directory)`
      )
  }
  const indexPath = join(dir, 'index.json')
  if (await expect(indexPath, 'file')) {
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
  for (const path of [join(dir, 'blobs'), join(dir, 'blobs', 'sha256')])
    if (!(await expect(path, 'dir'))) await mkdir(path)
  await writeNew(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
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
  if (await expect(indexPath, 'file'))
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
  await writeNew(indexPath, canonicalBytes(updated))
}
