import { describe, expect, it } from '@jest/globals'
import { scanLayer } from '../../../src/sbom/scan'
import { maxMetadataSize } from '../../../src/sbom/tar'
import { tarArchive, tarHeader } from './helpers'

const layer = 'sha256:' + 'd'.repeat(64)

/**
 * A tar stream whose first entry is a metadata record of `size` bytes, produced lazily in 64 KiB
 * chunks; `pulled` counts what the reader took.
 */
function hugeMetadata(type: string, size: number) {
  const counter = { pulled: 0 }
  const chunk = Buffer.alloc(64 * 1024, 'a')
  async function* blob(): AsyncGenerator<Buffer> {
    counter.pulled += 512
    yield tarHeader('././@PaxHeader', size, type)
    for (let sent = 0; sent < size; sent += chunk.length) {
      counter.pulled += chunk.length
      yield chunk
    }
    yield tarArchive([{ name: 'etc/os-release', content: 'ID=debian\n' }])
  }
  return { blob: blob(), counter }
}

describe('tar metadata records', () => {
  it.each([
    ['x', 'pax extended header'],
    ['L', 'GNU long name'],
    ['K', 'GNU long link name']
  ])(
    'a %s record over 1 MiB fails the layer, naming it, without being read',
    async (type, what) => {
      const size = 64 * 1024 * 1024
      const { blob, counter } = hugeMetadata(type, size)
      await expect(scanLayer(blob, layer)).rejects.toThrow(
        `${layer}: a ${what} of ${size} bytes is over the ${maxMetadataSize} bytes this reader keeps`
      )
      // Refused at its header: the body is never buffered (nor even read).
      expect(counter.pulled).toBeLessThan(1024 * 1024)
    }
  )

  it('takes a long name up to the bound, and skips a large global header', async () => {
    const longName = 'usr/lib/' + 'd/'.repeat(300) + 'os-release'
    const archive = Buffer.concat([
      tarHeader('pax_global_header', 3 * 1024 * 1024, 'g'),
      Buffer.alloc(3 * 1024 * 1024, 'g'),
      tarHeader('././@LongLink', longName.length + 1, 'L'),
      Buffer.from(longName + '\0'),
      Buffer.alloc((512 - ((longName.length + 1) % 512)) % 512),
      tarArchive([{ name: 'short-name', content: 'ID=alpine\n' }])
    ])
    const scan = await scanLayer([archive], layer)
    expect([...scan.paths]).toEqual([longName])
  })
})
