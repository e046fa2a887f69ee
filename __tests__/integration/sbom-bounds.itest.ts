import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { sha256 } from '../../src/oci/digest'
import { bytesBlob } from '../../src/oci/image'
import { MediaType } from '../../src/oci/media-types'
import { Registry, Repository } from '../../src/oci/reference'
import { RegistryClient } from '../../src/registry/client'
import { defaultKeychain } from '../../src/registry/keychain'
import { attachStatement } from '../../src/sign/attestation'
import { generateKeyPair, loadSigningKey } from '../../src/sign/keys'
import { readLegacySignatures } from '../../src/sign/legacy-sig'
import { keyMethod } from '../../src/sign/signer'
import { verifyImageSignatures } from '../../src/sign/verify'
import { silentLogger } from '../../src/util/log'
import { runAction } from '../helpers/action'
import { startRegistry, type TestRegistry } from '../helpers/registry'
import { gitWorkspace } from '../helpers/workspace'
import { tarArchive } from '../unit/sbom/helpers'

// CycloneDX JSON is checked field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>

let registry: TestRegistry
const password = 'sbom bounds password'
const pair = generateKeyPair(password)

beforeAll(async () => {
  registry = await startRegistry()
})
afterAll(async () => registry?.stop())

function clientFor(repository: Repository): RegistryClient {
  return new RegistryClient(Registry.parse(registry.host), {
    keychain: defaultKeychain({ repositories: [repository], env: {} }),
    insecureRegistries: [registry.host],
    log: silentLogger
  })
}

/** Pushes an image of gzip layers exactly as given (none of our tools would make a broken one). */
async function pushRawImage(
  path: string,
  layers: Buffer[]
): Promise<{ digest: `sha256:${string}`; size: number; mediaType: string }> {
  const repository = Repository.parse(`${registry.host}/${path}`)
  const client = clientFor(repository)
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: {
        type: 'layers',
        diff_ids: layers.map(layer => sha256(gunzipSync(layer)))
      }
    })
  )
  const blobs = [
    bytesBlob(MediaType.ociConfig, config),
    ...layers.map(layer => bytesBlob(MediaType.ociLayerGzip, layer))
  ]
  for (const blob of blobs)
    await client.pushBlob(repository, blob.descriptor.digest, {
      size: blob.descriptor.size,
      open: offset => blob.open(offset)
    })
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: blobs[0].descriptor,
      layers: blobs.slice(1).map(b => b.descriptor)
    })
  )
  await client.putManifest(repository, '1', manifest, MediaType.ociManifest)
  return {
    digest: sha256(manifest),
    size: manifest.length,
    mediaType: MediaType.ociManifest
  }
}

const osRelease = 'ID=debian\nVERSION_ID="12"\n'
const dpkgStatus =
  'Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\nVersion: 2.36-9+deb12u4\n'

describe('a base layer the SBOM cannot read', () => {
  it('is a warning naming the layer: the image is still signed, and its SBOM lists the other layers’ packages and says what is missing', async () => {
    const good = gzipSync(
      tarArchive([
        { name: 'etc/os-release', content: osRelease },
        { name: 'var/lib/dpkg/status', content: dpkgStatus }
      ])
    )
    const junk = gzipSync(randomBytes(64 * 1024))
    await pushRawImage('acme/broken-base', [good, junk])
    const ws = gitWorkspace({
      'app/node_modules/b/package.json': '{"name":"b","version":"1.0.0"}'
    })
    const result = runAction(
      {
        image: `${registry.host}/acme/on-broken-base`,
        base: `${registry.host}/acme/broken-base:1`,
        layers: 'app:/app',
        'signing-key': pair.privateKeyPem,
        'signing-key-password': password
      },
      { cwd: ws.dir, env: { GITHUB_SHA: ws.sha } }
    )
    expect(result.stdout).not.toContain('::error')
    expect(result.status).toBe(0)
    expect(result.stdout).toContain(
      `::warning::SBOM of linux/amd64: base layer ${sha256(junk)} could not be read, its packages are not listed: not a tar archive (header checksum mismatch)`
    )
    expect(result.outputs.signature).toMatch(/\.sig@sha256:/)
    const document = JSON.parse(readFileSync(result.outputs.sbom, 'utf8'))
    const purls = document.components.map((c: Json) => c.purl)
    expect(purls).toContain('pkg:npm/b@1.0.0')
    expect(purls).toContain(
      'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc'
    )
    expect(document.metadata.properties).toEqual([
      { name: 'imprint:unread-layer', value: sha256(gunzipSync(junk)) }
    ])
  })
})

describe('a large attestation', () => {
  it('is read back when larger than a small blob (an SBOM of many thousand packages), in the .att tag and as a referrer', async () => {
    const repository = Repository.parse(`${registry.host}/acme/large-att`)
    const client = clientFor(repository)
    const subject = await pushRawImage('acme/large-att', [
      gzipSync(tarArchive([{ name: 'etc/os-release', content: osRelease }]))
    ])
    const key = loadSigningKey(pair.privateKeyPem, password)
    const predicateType = 'https://example.com/large/v1'
    // 7 MiB of statement: about 9.3 MiB once base64 in the envelope, over the 8 MiB small-blob bound.
    const statement = Buffer.from(
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [
          {
            name: String(repository),
            digest: { sha256: subject.digest.slice(7) }
          }
        ],
        predicateType,
        predicate: { padding: 'x'.repeat(7 * 1024 * 1024) }
      })
    )
    const attached = await attachStatement(
      client,
      repository,
      subject,
      keyMethod(key),
      { statement, predicateType },
      '2026-01-01T00:00:00Z',
      silentLogger
    )
    expect(attached.written).toBe(true)
    const { signatures } = await readLegacySignatures(
      client,
      repository,
      subject.digest,
      'att'
    )
    expect(signatures).toHaveLength(1)
    expect(signatures[0].payload.length).toBeGreaterThan(8 * 1024 * 1024)
    const report = await verifyImageSignatures(
      client,
      repository,
      subject.digest,
      key.publicKey
    )
    expect(report.attestations.predicateTypes).toEqual([predicateType])
    expect(report.bundles.predicateTypes).toEqual([predicateType])
  })
})
