import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from '@jest/globals'
import type { TarEntry } from '../../../src/layer/tar'
import { sha256, type Digest } from '../../../src/oci/digest'
import type { Blob, Image } from '../../../src/oci/image'
import { Repository } from '../../../src/oci/reference'
import type { ImageConfig } from '../../../src/oci/types'
import type { ResolvedBase } from '../../../src/pipeline/base'
import { SbomStage } from '../../../src/pipeline/sbom'
import type { Registries } from '../../../src/registry/registries'
import type { Logger } from '../../../src/util/log'
import { tarArchive } from '../sbom/helpers'

const platform = { os: 'linux', architecture: 'amd64' }
const status = (name: string, version: string) =>
  `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\n\n`

/** A base layer served from memory in small chunks; `pulled` counts the bytes read of it. */
function memoryBlob(
  bytes: Buffer,
  digest: Digest = sha256(bytes)
): Blob & { pulled: () => number } {
  let pulled = 0
  return {
    descriptor: {
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest,
      size: bytes.length
    },
    open: async () =>
      (async function* () {
        for (let i = 0; i < bytes.length; i += 1000) {
          pulled += Math.min(1000, bytes.length - i)
          yield bytes.subarray(i, i + 1000)
        }
      })(),
    pulled: () => pulled
  }
}

function recordingLog(): Logger & { warnings: string[] } {
  const warnings: string[] = []
  return {
    warnings,
    debug: () => {},
    info: () => {},
    warning: message => warnings.push(message),
    group: (_name, fn) => fn()
  }
}

const noRegistries = {
  client: () => {
    throw new Error('no registry here')
  }
} as unknown as Registries

/** The SBOM stage over `layers` as the base, and one built layer made of `built`. */
async function sbomOf(
  layers: Blob[],
  built: { entries: TarEntry[]; diffId: Digest } = {
    entries: [],
    diffId: sha256('built')
  }
) {
  const log = recordingLog()
  const base: ResolvedBase = {
    name: 'registry.example/acme/base:1',
    platforms: [
      {
        platform,
        config: {
          ...platform,
          rootfs: {
            type: 'layers',
            diff_ids: layers.map((_, i) => sha256(`diff-${i}`))
          }
        } as ImageConfig,
        layers
      }
    ]
  }
  const stage = SbomStage.start(
    { sbom: true, push: true, mergeDigests: [] },
    true,
    base,
    noRegistries,
    log
  )!
  const image = {
    kind: 'image',
    platform,
    digest: sha256('image'),
    manifest: { schemaVersion: 2, layers: [] },
    layers: [
      ...layers,
      {
        descriptor: { mediaType: 'x', digest: sha256('blob'), size: 0 },
        open: async () => [],
        built: {
          diffId: built.diffId,
          uncompressedSize: 0,
          source: 'app',
          destination: '/',
          compressor: 'gzip'
        }
      }
    ]
  } as unknown as Image
  const dir = mkdtempSync(join(tmpdir(), 'imprint-sbom-stage-'))
  const [sbom] = await stage.report(
    stage.make(
      image,
      Repository.parse('registry.example/acme/app'),
      new Map([[built.diffId, built.entries]]),
      0,
      dir
    )
  )
  const document = JSON.parse(readFileSync(sbom.path, 'utf8'))
  const purls: string[] = document.components
    .map((c: { purl?: string }) => c.purl)
    .filter(Boolean)
  return { sbom, document, purls, log }
}

describe('SBOM stage', () => {
  it('makes the SBOM without a base layer that is not a tar, says so, and lists the others', async () => {
    const good = memoryBlob(
      gzipSync(
        tarArchive([
          { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
          { name: 'var/lib/dpkg/status', content: status('libc6', '2.36') }
        ])
      )
    )
    const junk = memoryBlob(gzipSync(randomBytes(64 * 1024)))
    const { sbom, document, purls, log } = await sbomOf([good, junk])
    expect(purls).toContain(
      'pkg:deb/debian/libc6@2.36?arch=amd64&distro=debian-12'
    )
    expect(sbom.unread).toEqual([
      {
        digest: junk.descriptor.digest,
        diffId: sha256('diff-1'),
        reason: 'not a tar archive (header checksum mismatch)'
      }
    ])
    expect(document.metadata.properties).toEqual([
      { name: 'imprint:unread-layer', value: sha256('diff-1') }
    ])
    expect(log.warnings).toEqual([
      `SBOM of linux/amd64: base layer ${junk.descriptor.digest} could not be read, its packages are not listed: not a tar archive (header checksum mismatch)`
    ])
  })

  it('leaves out a base layer whose bytes are not what its digest says', async () => {
    const tar = gzipSync(
      tarArchive([
        { name: 'var/lib/dpkg/status', content: status('evil', '6.6.6') }
      ])
    )
    const claimed = sha256('another blob')
    const tampered = memoryBlob(tar, claimed)
    const { sbom, purls, log } = await sbomOf([tampered])
    expect(purls.filter(p => p.startsWith('pkg:deb/'))).toEqual([])
    expect(sbom.unread.map(u => u.digest)).toEqual([claimed])
    expect(sbom.unread[0].reason).toBe(
      `its content (${tar.length} bytes, ${sha256(tar)}) is not what its descriptor says (${tar.length} bytes, ${claimed})`
    )
    expect(log.warnings).toHaveLength(1)
    // The whole blob was read to check it, not more.
    expect(tampered.pulled()).toBe(tar.length)
  })

  it('stops reading a base layer at the size its descriptor gives', async () => {
    const tar = tarArchive([{ name: 'a', content: 'x'.repeat(100_000) }])
    const blob = memoryBlob(tar)
    const short = { ...blob, descriptor: { ...blob.descriptor, size: 10_000 } }
    const { sbom } = await sbomOf([short])
    expect(sbom.unread[0].reason).toBe(
      'it is larger than the 10000 bytes its descriptor says'
    )
    expect(blob.pulled()).toBeLessThanOrEqual(11_000)
  })

  it('hides the base’s packages below a path a built layer makes a link or file', async () => {
    const base = memoryBlob(
      tarArchive([
        {
          name: 'usr/lib/python3/dist-packages/foo-1.0.dist-info/METADATA',
          content: 'Metadata-Version: 2.1\nName: foo\nVersion: 1.0\n'
        },
        {
          name: 'app/node_modules/bar/package.json',
          content: JSON.stringify({ name: 'bar', version: '2.0.0' })
        },
        {
          name: 'app/node_modules/kept/package.json',
          content: JSON.stringify({ name: 'kept', version: '3.0.0' })
        }
      ])
    )
    const dir = mkdtempSync(join(tmpdir(), 'imprint-built-'))
    writeFileSync(join(dir, 'bar'), 'a file where a directory was')
    const { purls } = await sbomOf([base], {
      diffId: sha256('built layer'),
      entries: [
        { type: 'symlink', path: 'usr/lib/python3', target: 'python3.11' },
        {
          type: 'file',
          path: 'app/node_modules/bar',
          mode: 0o644,
          size: 28,
          source: join(dir, 'bar')
        }
      ]
    })
    expect(purls).toEqual(['pkg:npm/kept@3.0.0'])
  })
})
