import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deflateRawSync } from 'node:zlib'
import { requireTool } from '../../helpers/tools'
import type { FileSource } from '../../../src/sbom/types'

/** A tool's standard output; a missing tool fails the test (script/setup installs them). */
export function run(tool: string, args: string[], cwd?: string): string {
  return execFileSync(requireTool(tool), args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    ...(cwd ? { cwd } : {})
  })
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `imprint-sbom-${prefix}-`))
}

/** A FileSource over bytes in memory. */
export function memorySource(
  path: string,
  content: string | Buffer,
  extra: Partial<FileSource> = {}
): FileSource {
  const data = Buffer.isBuffer(content) ? content : Buffer.from(content)
  return { path, size: data.length, read: async () => data, ...extra }
}

/** Collects warnings so a test can assert there were none (or which). */
export function warnings(): { warn(message: string): void; list: string[] } {
  const list: string[] = []
  return { warn: (message: string) => list.push(message), list }
}

let pythonPath: string | undefined

/** Runs Python (the interpreter itself, not pyenv's slow shim) and returns its standard output. */
export function python(args: string[], cwd?: string): string {
  pythonPath ??= run('python3', [
    '-c',
    'import sys; print(sys.executable)'
  ]).trim()
  return execFileSync(pythonPath, args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    ...(cwd ? { cwd } : {})
  })
}

/** One ustar header block: `type` is the typeflag (`0` file, `2` symlink, `5` directory, `x` pax, `L` GNU long name…). */
export function tarHeader(
  name: string,
  size: number,
  type = '0',
  options: { mode?: number; linkname?: string } = {}
): Buffer {
  const h = Buffer.alloc(512)
  h.write(name, 0, 100, 'utf8')
  h.write((options.mode ?? 0o644).toString(8).padStart(7, '0'), 100)
  h.write('0000000', 108)
  h.write('0000000', 116)
  h.write(size.toString(8).padStart(11, '0'), 124)
  h.write('00000000000', 136)
  h.write(type, 156)
  if (options.linkname) h.write(options.linkname, 157, 100, 'utf8')
  h.write('ustar\u000000', 257, 'latin1')
  h.fill(0x20, 148, 156)
  let sum = 0
  for (const b of h) sum += b
  h.write(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 'latin1')
  return h
}

/** A plain tar archive of entries (content padded to blocks), ended by two zero blocks. */
export function tarArchive(
  entries: {
    name: string
    content?: string | Buffer
    type?: string
    mode?: number
    linkname?: string
  }[]
): Buffer {
  const parts: Buffer[] = []
  for (const e of entries) {
    const data = Buffer.isBuffer(e.content)
      ? e.content
      : Buffer.from(e.content ?? '')
    parts.push(tarHeader(e.name, data.length, e.type ?? '0', e))
    parts.push(data, Buffer.alloc((512 - (data.length % 512)) % 512))
  }
  parts.push(Buffer.alloc(1024))
  return Buffer.concat(parts)
}

/**
 * A ZIP archive written by hand (CRCs left zero: the readers here do not check them). Entries are
 * stored or deflated; `central` may list extra central-directory records, e.g. several pointing
 * at one entry's local header (what a zip bomb does).
 */
export function zipArchive(
  entries: { name: string; data: Buffer; deflate?: boolean }[],
  central: (
    records: { name: string; offset: number; entry: number }[]
  ) => { name: string; offset: number; entry: number }[] = r => r
): Buffer {
  const locals: Buffer[] = []
  const records: { name: string; offset: number; entry: number }[] = []
  const stored: { method: number; size: number; compressed: number }[] = []
  let offset = 0
  entries.forEach((e, i) => {
    const body = e.deflate ? deflateRawSync(e.data) : e.data
    const name = Buffer.from(e.name)
    const h = Buffer.alloc(30)
    h.writeUInt32LE(0x04034b50, 0)
    h.writeUInt16LE(20, 4)
    h.writeUInt16LE(e.deflate ? 8 : 0, 8)
    h.writeUInt32LE(body.length, 18)
    h.writeUInt32LE(e.data.length, 22)
    h.writeUInt16LE(name.length, 26)
    locals.push(h, name, body)
    records.push({ name: e.name, offset, entry: i })
    stored.push({
      method: e.deflate ? 8 : 0,
      size: e.data.length,
      compressed: body.length
    })
    offset += 30 + name.length + body.length
  })
  const cd: Buffer[] = []
  const listed = central(records)
  for (const r of listed) {
    const name = Buffer.from(r.name)
    const c = Buffer.alloc(46)
    c.writeUInt32LE(0x02014b50, 0)
    c.writeUInt16LE(20, 4)
    c.writeUInt16LE(20, 6)
    c.writeUInt16LE(stored[r.entry].method, 10)
    c.writeUInt32LE(stored[r.entry].compressed, 20)
    c.writeUInt32LE(stored[r.entry].size, 24)
    c.writeUInt16LE(name.length, 28)
    c.writeUInt32LE(r.offset, 42)
    cd.push(c, name)
  }
  const cdBytes = Buffer.concat(cd)
  const eocd = Buffer.alloc(22)
  eocd.writeUInt32LE(0x06054b50, 0)
  eocd.writeUInt16LE(listed.length, 8)
  eocd.writeUInt16LE(listed.length, 10)
  eocd.writeUInt32LE(cdBytes.length, 12)
  eocd.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, cdBytes, eocd])
}

/** A jar holding one Maven `pom.properties` (and `padding` bytes of zeros, when asked). */
export function mavenJar(
  group: string,
  artifact: string,
  version: string,
  padding = 0
): Buffer {
  return zipArchive([
    {
      name: `META-INF/maven/${group}/${artifact}/pom.properties`,
      data: Buffer.from(
        `groupId=${group}\nartifactId=${artifact}\nversion=${version}\n`
      )
    },
    ...(padding ? [{ name: 'padding.bin', data: Buffer.alloc(padding) }] : [])
  ])
}
