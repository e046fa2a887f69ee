import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import {
  mkdtempSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
  chmodSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync, gzipSync, zstdCompressSync } from 'node:zlib'
import { describe, expect, it } from '@jest/globals'
import { collectEntries } from '../../../src/layer/collect'
import {
  diffIdOfBlob,
  tarDigest,
  writeLayer,
  zlibInternalsVerified
} from '../../../src/layer/layer'
import { MediaType } from '../../../src/oci/media-types'
import { tarStream } from '../../../src/layer/tar'
import { dropWarmReader, warmReader } from '../../../src/layer/read-ahead'

const options = { mtime: 1700000000, uid: 0, gid: 0 }

function makeTree(root: string, mtime: number): void {
  mkdirSync(join(root, 'src/app/lib'), { recursive: true })
  writeFileSync(join(root, 'src/app/index.js'), 'console.log("hi")\n')
  writeFileSync(join(root, 'src/app/run.sh'), '#!/bin/sh\necho run\n')
  chmodSync(join(root, 'src/app/run.sh'), 0o700)
  writeFileSync(join(root, 'src/app/lib/ünïcödé.txt'), 'non-ascii name\n')
  const longName = 'x'.repeat(120) + '.txt'
  writeFileSync(join(root, 'src/app/lib', longName), 'long name\n')
  symlinkSync('../../../../etc/passwd', join(root, 'src/app/escape'))
  symlinkSync('index.js', join(root, 'src/app/main.js'))
  for (const p of [
    'src/app/index.js',
    'src/app/run.sh',
    'src/app/lib',
    'src/app'
  ]) {
    utimesSync(join(root, p), mtime, mtime)
  }
}

function tarList(blob: string): string[] {
  return execFileSync(
    'tar',
    ['--numeric-owner', '--full-time', '-tvzf', blob],
    { encoding: 'utf8' }
  )
    .trim()
    .split('\n')
}

describe('layer writer', () => {
  it('writes a tar that GNU tar reads, with normalised owners, modes and times', async () => {
    const root = mkdtempSync(join(tmpdir(), 'imprint-layer-'))
    makeTree(root, 1000)
    const entries = await collectEntries(root, 'src/app', '/app', () => {})
    const layer = await writeLayer(entries, options, join(root, 'layer.tgz'))
    const listing = tarList(layer.path)
    const names = listing.map(l => l.split(/\s+/).slice(5).join(' '))
    // No entries for /app and /app/lib: the base's metadata stays, or a runtime creates them.
    expect(names).toEqual([
      'app/escape -> ../../../../etc/passwd',
      'app/index.js',
      `app/lib/${'x'.repeat(120)}.txt`,
      'app/lib/ünïcödé.txt',
      'app/main.js -> index.js',
      'app/run.sh'
    ])
    for (const line of listing) {
      expect(line).toMatch(
        /^(-rw-r--r--|-rwxr-xr-x|drwxr-xr-x|lrwxrwxrwx) 0\/0 /
      )
      expect(line).toContain('2023-11-14 22:13:20')
    }
    expect(listing.find(l => l.endsWith('app/run.sh'))).toMatch(/^-rwxr-xr-x/)
    expect(listing.find(l => l.endsWith('app/index.js'))).toMatch(/^-rw-r--r--/)
  })

  it('computes the diffID over the tar and the digest over the compressed blob', async () => {
    const root = mkdtempSync(join(tmpdir(), 'imprint-layer-'))
    makeTree(root, 1000)
    const entries = await collectEntries(root, 'src', '/', () => {})
    const layer = await writeLayer(entries, options, join(root, 'layer.tgz'))
    const blob = readFileSync(layer.path)
    expect(layer.size).toBe(blob.length)
    expect(layer.digest).toBe(
      `sha256:${createHash('sha256').update(blob).digest('hex')}`
    )
    const tar = gunzipSync(blob)
    expect(layer.uncompressedSize).toBe(tar.length)
    expect(layer.diffId).toBe(
      `sha256:${createHash('sha256').update(tar).digest('hex')}`
    )
    // gzip header: no file name flag, mtime 0
    expect(blob[3] & 0x08).toBe(0)
    expect(blob.readUInt32LE(4)).toBe(0)
  })

  it('gives the same digest for the same content regardless of path and file times', async () => {
    const a = mkdtempSync(join(tmpdir(), 'imprint-a-'))
    const b = mkdtempSync(join(tmpdir(), 'imprint-bb-'))
    makeTree(a, 1000)
    makeTree(b, 999999)
    const la = await writeLayer(
      await collectEntries(a, 'src', '/srv', () => {}),
      options,
      join(a, 'l')
    )
    const lb = await writeLayer(
      await collectEntries(b, 'src', '/srv', () => {}),
      options,
      join(b, 'l')
    )
    expect(lb.digest).toBe(la.digest)
    const lc = await writeLayer(
      await collectEntries(b, 'src', '/srv', () => {}),
      { ...options, mtime: options.mtime + 1 },
      join(b, 'l2')
    )
    expect(lc.digest).not.toBe(la.digest)
  })

  it('places a single file at the destination, or inside it when it ends with a slash', async () => {
    const root = mkdtempSync(join(tmpdir(), 'imprint-layer-'))
    makeTree(root, 1000)
    const exact = await collectEntries(
      root,
      'src/app/index.js',
      '/srv/main.js',
      () => {}
    )
    expect(exact.map(e => e.path)).toEqual(['srv/main.js'])
    const inside = await collectEntries(
      root,
      'src/app/index.js',
      '/srv/',
      () => {}
    )
    expect(inside.map(e => e.path)).toEqual(['srv/index.js'])
  })

  it('refuses sources outside the working directory, also through a symlink', async () => {
    const root = mkdtempSync(join(tmpdir(), 'imprint-layer-'))
    makeTree(root, 1000)
    symlinkSync('/etc', join(root, 'etc-link'))
    const outside = mkdtempSync(join(tmpdir(), 'imprint-outside-'))
    writeFileSync(join(outside, 'secret'), 'TOPSECRET')
    symlinkSync(outside, join(root, 'escape-dir'))
    await expect(collectEntries(root, '../', '/x', () => {})).rejects.toThrow(
      /outside working-directory/
    )
    await expect(
      collectEntries(root, 'etc-link', '/x', () => {})
    ).rejects.toThrow(/outside working-directory/)
    await expect(
      collectEntries(root, 'missing', '/x', () => {})
    ).rejects.toThrow(/does not exist/)
    // A symlinked parent directory is followed by the OS, so it is checked as a whole path.
    await expect(
      collectEntries(root, 'escape-dir/secret', '/x', () => {})
    ).rejects.toThrow(/outside working-directory/)
  })

  it('writes the requested owner on every entry, the destination included', async () => {
    const root = mkdtempSync(join(tmpdir(), 'imprint-layer-'))
    makeTree(root, 1000)
    const layer = await writeLayer(
      await collectEntries(root, 'src', '/srv/data', () => {}, {
        ownDestination: true
      }),
      { ...options, uid: 65532, gid: 65533 },
      join(root, 'l')
    )
    const listing = tarList(layer.path)
    for (const line of listing) expect(line.split(/\s+/)[1]).toBe('65532/65533')
    // The destination is the owner's; its parent (/srv) keeps the base's metadata.
    const names = listing.map(l => l.split(/\s+/).slice(5).join(' '))
    expect(names[0]).toBe('srv/data/')
    expect(names).not.toContain('srv/')
  })

  it('streams a file larger than the small-file limit', async () => {
    const root = mkdtempSync(join(tmpdir(), 'imprint-layer-'))
    const big = Buffer.alloc(9 * 1024 * 1024 + 17)
    for (let i = 0; i < big.length; i += 4096) big[i] = i % 251
    writeFileSync(join(root, 'big.bin'), big)
    const layer = await writeLayer(
      await collectEntries(root, 'big.bin', '/big.bin', () => {}),
      options,
      join(root, 'l')
    )
    const out = execFileSync('tar', ['-xzOf', layer.path, 'big.bin'], {
      maxBuffer: 64 * 1024 * 1024
    })
    expect(Buffer.compare(out, big)).toBe(0)
  })

  it('hashes large files through one reused buffer per archive, several archives at once', async () => {
    const root = mkdtempSync(join(tmpdir(), 'imprint-layer-'))
    for (const name of ['a', 'b'])
      for (const file of ['one.bin', 'two.bin']) {
        mkdirSync(join(root, name), { recursive: true })
        writeFileSync(join(root, name, file), randomBytes(5 * 1024 * 1024 + 3))
      }
    const lists = await Promise.all(
      ['a', 'b'].map(name => collectEntries(root, name, '/x', () => {}))
    )
    const hashed = await Promise.all(
      lists.map(list => tarDigest(list, options))
    )
    for (const [i, list] of lists.entries()) {
      const built = await writeLayer(list, options, join(root, `l${i}`))
      expect(hashed[i].diffId).toBe(built.diffId)
    }
  })
})

describe('many small files (read ahead on another thread)', () => {
  const tree = (count: number): string => {
    const root = mkdtempSync(join(tmpdir(), 'imprint-many-'))
    for (let d = 0; d < 8; d++) {
      mkdirSync(join(root, 'deps', `pkg${d}`, 'lib'), { recursive: true })
      for (let i = 0; i < count / 8; i++)
        writeFileSync(
          join(root, 'deps', `pkg${d}`, 'lib', `m${i}.js`),
          `module.exports = ${d * 1000 + i}\n`.repeat(i % 5)
        )
    }
    return root
  }

  it('gives the archive GNU tar writes, byte for byte in content and order', async () => {
    const root = tree(1200)
    const entries = await collectEntries(root, 'deps', '/deps', () => {})
    expect(entries.filter(e => e.type === 'file')).toHaveLength(1200)
    const layer = await writeLayer(entries, options, join(root, 'layer.tgz'))
    const out = mkdtempSync(join(tmpdir(), 'imprint-many-out-'))
    execFileSync('tar', ['-xzf', layer.path, '-C', out])
    // Every file's content, as GNU tar extracted it, equals the source.
    const diff = execFileSync(
      'diff',
      ['-r', join(root, 'deps'), join(out, 'deps')],
      {
        encoding: 'utf8'
      }
    )
    expect(diff).toBe('')
    // The order is by path bytes, as for a few files.
    const names = tarList(layer.path).map(l =>
      l.split(/\s+/).slice(5).join(' ')
    )
    const sorted = [...names].sort((a, b) =>
      Buffer.compare(
        Buffer.from(a.replace(/\/$/, '')),
        Buffer.from(b.replace(/\/$/, ''))
      )
    )
    expect(names).toEqual(sorted)
  })

  it('reuses its memory round and round: files up to the small-file limit, many times its size', async () => {
    // The reader's ring holds 8 MiB: files of up to 4 MiB in an order that makes it skip its end,
    // 40 MiB in all, content that differs per file so a byte in the wrong place shows.
    const root = tree(600)
    const sizes = [
      4 << 20,
      3 << 20,
      1,
      (4 << 20) - 1,
      2_500_000,
      5000,
      3_999_999
    ]
    for (let i = 0; i < 12; i++) {
      const content = Buffer.alloc(sizes[i % sizes.length])
      for (let at = 0; at + 4 <= content.length; at += 4096)
        content.writeUInt32BE((i << 20) + at / 4096, at)
      writeFileSync(join(root, 'deps', `pkg${i % 8}`, `big${i}.bin`), content)
    }
    const entries = await collectEntries(root, 'deps', '/deps', () => {})
    const layer = await writeLayer(entries, options, join(root, 'layer.tgz'))
    const out = mkdtempSync(join(tmpdir(), 'imprint-ring-out-'))
    execFileSync('tar', ['-xzf', layer.path, '-C', out])
    expect(
      execFileSync('diff', ['-r', join(root, 'deps'), join(out, 'deps')], {
        encoding: 'utf8'
      })
    ).toBe('')
    // Hashed without being kept, the same archive.
    const hashed = await tarDigest(entries, options)
    expect(hashed.diffId).toBe(layer.diffId)
    expect(hashed.size).toBe(layer.uncompressedSize)
  })

  it('stops its reader thread when the consumer stops early', async () => {
    // More than the reader's 8 MiB ring: it is left waiting for room when the consumer goes.
    const root = tree(600)
    for (let i = 0; i < 6; i++)
      writeFileSync(
        join(root, 'deps', `pkg${i}`, `big${i}.bin`),
        Buffer.alloc(3 << 20, i)
      )
    const entries = await collectEntries(root, 'deps', '/deps', () => {})
    // Each thread of this process is a directory here (Linux): the reader is one of them.
    const threads = () => readdirSync('/proc/self/task').length
    const before = threads()
    const stream = tarStream(entries, options)
    await stream.next()
    expect(threads()).toBeGreaterThan(before)
    await stream.return(undefined)
    for (let waited = 0; threads() > before && waited < 5000; waited += 50)
      await new Promise(resolve => setTimeout(resolve, 50))
    expect(threads()).toBe(before)
  })

  it('takes a reader thread started ahead of need, and ends one no layer takes', async () => {
    const root = tree(1200)
    const entries = await collectEntries(root, 'deps', '/deps', () => {})
    const cold = await tarDigest(entries, options)
    const threads = () => readdirSync('/proc/self/task').length
    const settle = async (count: number): Promise<void> => {
      for (let waited = 0; threads() !== count && waited < 5000; waited += 20)
        await new Promise(resolve => setTimeout(resolve, 20))
    }
    const before = threads()
    warmReader()
    warmReader() // one at a time
    await settle(before + 1)
    expect(threads()).toBe(before + 1)
    // The archive takes it (no thread of its own) and ends it when done: none is left idle.
    expect(await tarDigest(entries, options)).toEqual(cold)
    await settle(before)
    expect(threads()).toBe(before)
    warmReader()
    await settle(before + 1)
    dropWarmReader()
    await settle(before)
    expect(threads()).toBe(before)
  })

  it('fails, naming the file, when one changed after it was listed', async () => {
    const root = tree(1200)
    const entries = await collectEntries(root, 'deps', '/deps', () => {})
    // One file early and one late: the error names the first the stream meets.
    writeFileSync(join(root, 'deps/pkg0/lib/m100.js'), 'changed\n')
    writeFileSync(
      join(root, 'deps/pkg7/lib/m100.js'),
      'changed after the walk\n'
    )
    await expect(
      writeLayer(entries, options, join(root, 'layer.tgz'))
    ).rejects.toThrow(
      /deps\/pkg0\/lib\/m100\.js changed while the layer was being written \(\d+ bytes expected, 8 found\)/
    )
  })
})

describe('diffIdOfBlob', () => {
  const sha = (bytes: Uint8Array): string =>
    `sha256:${createHash('sha256').update(bytes).digest('hex')}`

  /** Serves `blob` as a socket read does: pieces of one buffer, overwritten after each. */
  async function* lent(
    blob: Buffer,
    piece: number
  ): AsyncGenerator<Uint8Array> {
    const memory = Buffer.alloc(piece)
    for (let at = 0; at < blob.length; at += piece) {
      const n = blob.copy(memory, 0, at, at + piece)
      yield memory.subarray(0, n)
      memory.fill(0xee)
    }
  }

  it('hashes what a gzip or zstd blob decompresses to, from chunks lent one at a time', async () => {
    // Text-like content that expands many times over (several output steps per chunk), two
    // gzip members (gzip allows that), and zstd.
    const tar = Buffer.concat([
      Buffer.alloc(6 << 20, 'node_modules/left-pad/index.js\n'),
      randomBytes(1 << 20)
    ])
    const gzip = Buffer.concat([
      gzipSync(tar.subarray(0, 3 << 20)),
      gzipSync(tar.subarray(3 << 20))
    ])
    for (const piece of [1000, 64 * 1024, 1 << 20])
      expect(
        await diffIdOfBlob(lent(gzip, piece), MediaType.ociLayerGzip)
      ).toBe(sha(tar))
    expect(
      await diffIdOfBlob(
        lent(zstdCompressSync(tar), 65536),
        MediaType.ociLayerZstd
      )
    ).toBe(sha(tar))
  })

  it('gives the same diffID through the stream API (a Node major whose zlib internals are not checked)', async () => {
    const tar = Buffer.alloc(5 << 20, 'left-pad\n')
    for (const [blob, type] of [
      [gzipSync(tar), MediaType.ociLayerGzip],
      [zstdCompressSync(tar), MediaType.ociLayerZstd]
    ] as const)
      expect(await diffIdOfBlob(lent(blob, 4096), type, {}, false)).toBe(
        sha(tar)
      )
  })

  // Node's zlib internals are driven only where they were checked: never forced elsewhere.
  it.each(zlibInternalsVerified ? [true, false] : [false])(
    'stops within a step when cancelled or past the layer size (zlib internals: %s)',
    async internals => {
      // One input chunk that expands to 32 MiB: the bounds are checked at each 1 MiB of output.
      const bomb = zstdCompressSync(Buffer.alloc(32 << 20))
      let steps = 0
      await expect(
        diffIdOfBlob(
          lent(bomb, bomb.length),
          MediaType.ociLayerZstd,
          { cancelled: () => ++steps > 3 },
          internals
        )
      ).rejects.toThrow('no longer needed')
      expect(steps).toBe(4)
      await expect(
        diffIdOfBlob(
          lent(bomb, bomb.length),
          MediaType.ociLayerZstd,
          { most: () => 3 << 20 },
          internals
        )
      ).rejects.toThrow("decompresses to more than the layer's 3145728 bytes")
    }
  )

  it('fails on a corrupt or cut-short blob, and reads no type it does not know', async () => {
    const gzip = gzipSync(randomBytes(2 << 20))
    const corrupt = Buffer.from(gzip)
    corrupt.fill(0x55, 5000, 6000)
    await expect(
      diffIdOfBlob(lent(corrupt, 4096), MediaType.ociLayerGzip)
    ).rejects.toThrow(/invalid|incorrect|error/i)
    await expect(
      diffIdOfBlob(
        lent(gzip.subarray(0, gzip.length - 100), 4096),
        MediaType.ociLayerGzip
      )
    ).rejects.toThrow(/unexpected end/)
    await expect(
      diffIdOfBlob(lent(gzip, 4096), MediaType.ociLayerZstd)
    ).rejects.toThrow()
    expect(
      await diffIdOfBlob(
        lent(gzip, 4096),
        'application/vnd.oci.image.layer.v1.tar'
      )
    ).toBeUndefined()
  })
})
