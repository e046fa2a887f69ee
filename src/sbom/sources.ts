import { lstat, readFile } from 'node:fs/promises'
import type { FileSource } from './types'

/**
 * A file on disk as a cataloger's FileSource, at `imagePath` (no leading slash) in the image:
 * for cataloguing a directory before it becomes a layer.
 */
export async function fileSource(
  diskPath: string,
  imagePath: string,
  layer?: string
): Promise<FileSource> {
  const stat = await lstat(diskPath)
  return {
    path: imagePath,
    size: stat.size,
    mode: stat.mode & 0o7777,
    ...(layer !== undefined ? { layer } : {}),
    read: () => readFile(diskPath)
  }
}
