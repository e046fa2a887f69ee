import { constants, createReadStream } from 'node:fs'
import { open, stat as statFile } from 'node:fs/promises'
import { defaultElfLimits, ElfCollector } from './elf-collector'
import { defaultMaxFileSize } from './scan'
import type { FileSource } from './types'

/** A file on disk that a layer holds at `path` (no leading slash). */
export interface DiskFile {
  diskPath: string
  path: string
  size: number
  mode: number
  layer?: string
  /** Follow a symbolic link at diskPath (a path the caller chose); a layer's file is never a link. */
  followLink?: boolean
}

/**
 * A file on disk as a cataloger's FileSource, read the way the layer scanner reads a blob's
 * entries: whole only up to `maxFileSize`, and an executable streamed through the ELF collector so
 * that a large binary is never held whole. The file is opened without following a link and must
 * still have the size the layer recorded (it was read for the layer moments ago).
 */
export function diskSource(
  file: DiskFile,
  maxFileSize = defaultMaxFileSize
): FileSource {
  const openChecked = async () => {
    const handle = await open(
      file.diskPath,
      constants.O_RDONLY | (file.followLink ? 0 : constants.O_NOFOLLOW)
    )
    const stat = await handle.stat()
    if (!stat.isFile() || stat.size !== file.size) {
      await handle.close()
      throw new Error(`${file.path} changed since the layer was built`)
    }
    return handle
  }
  return {
    path: file.path,
    size: file.size,
    mode: file.mode,
    ...(file.layer !== undefined ? { layer: file.layer } : {}),
    read: async () => {
      if (file.size > maxFileSize)
        throw new Error(
          `${file.path}: ${file.size} bytes is over the ${maxFileSize}-byte limit, not read`
        )
      const handle = await openChecked()
      try {
        return await handle.readFile()
      } finally {
        await handle.close()
      }
    },
    elf: async () => {
      const handle = await openChecked()
      const collector = new ElfCollector(file.size, defaultElfLimits)
      // The stream closes the handle when it ends or fails.
      for await (const chunk of createReadStream('', {
        fd: handle,
        highWaterMark: 1 << 20
      }))
        collector.push(chunk as Buffer)
      return collector.finish()
    }
  }
}

/**
 * A file on disk as a cataloger's FileSource, at `imagePath` (no leading slash) in the image:
 * for cataloguing a directory before it becomes a layer. A link is followed (the caller chose the path).
 */
export async function fileSource(
  diskPath: string,
  imagePath: string,
  layer?: string
): Promise<FileSource> {
  const stat = await statFile(diskPath)
  return diskSource({
    diskPath,
    path: imagePath,
    size: stat.size,
    mode: stat.mode & 0o7777,
    followLink: true,
    ...(layer !== undefined ? { layer } : {})
  })
}
