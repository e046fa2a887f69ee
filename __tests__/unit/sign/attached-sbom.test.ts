import { describe, expect, it } from '@jest/globals'
import { sha256, type Digest } from '../../../src/oci/digest'
import { Repository } from '../../../src/oci/reference'
import type { RegistryClient } from '../../../src/registry/client'
import { findAttachedSbom } from '../../../src/sign/attached-sbom'

const digest = `sha256:${'a'.repeat(64)}` as const

/** A DSSE envelope of an in-toto statement (`_type`, `predicateType`, subject digest). */
function envelope(
  predicateType: string,
  subject: Digest,
  payloadType = 'application/vnd.in-toto+json'
) {
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'base', digest: { sha256: subject.slice(7) } }],
    predicateType,
    predicate: {}
  }
  return {
    payloadType,
    payload: Buffer.from(JSON.stringify(statement)).toString('base64'),
    signatures: [{ sig: 'c2ln' }]
  }
}

/**
 * A registry holding, for one image digest, bundle referrers (each a bundle) and a `.att` tag
 * (each layer a media type, an annotated predicate type and a body).
 */
function registryWith(
  referrers: object[],
  att: { mediaType: string; predicateType: string; body: object }[]
): RegistryClient {
  const blobs = new Map<string, Buffer>()
  const manifests = new Map<string, Buffer>()
  const put = (map: Map<string, Buffer>, value: object) => {
    const bytes = Buffer.from(JSON.stringify(value))
    map.set(sha256(bytes), bytes)
    return { digest: sha256(bytes), size: bytes.length }
  }
  const index = referrers.map(bundle => {
    const layer = put(blobs, bundle)
    const manifest = put(manifests, {
      schemaVersion: 2,
      layers: [
        { mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', ...layer }
      ]
    })
    return {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      ...manifest,
      annotations: {
        'dev.sigstore.bundle.predicateType': 'https://spdx.dev/Document'
      }
    }
  })
  const attManifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      layers: att.map(l => ({
        mediaType: l.mediaType,
        ...put(blobs, l.body),
        annotations: { predicateType: l.predicateType }
      }))
    })
  )
  return {
    referrers: async () => ({ schemaVersion: 2, manifests: index }),
    getManifest: async (_repo: unknown, digest: string) => ({
      bytes: manifests.get(digest)!,
      digest
    }),
    findManifest: async () =>
      att.length
        ? { bytes: attManifest, digest: sha256(attManifest) }
        : undefined,
    getBlobBytes: async (_repo: unknown, digest: string) => blobs.get(digest)!
  } as unknown as RegistryClient
}

describe('a base image’s own SBOM attestation', () => {
  const repo = Repository.parse('registry.example/acme/base')
  const spdx = 'https://spdx.dev/Document'

  it('is not taken from an annotation alone', async () => {
    const client = registryWith(
      [
        { dsseEnvelope: envelope(spdx, digest, 'text/plain') },
        { note: 'no envelope' }
      ],
      [
        {
          mediaType: 'application/json',
          predicateType: spdx,
          body: envelope(spdx, digest)
        },
        {
          mediaType: 'application/vnd.dsse.envelope.v1+json',
          predicateType: spdx,
          body: {
            payloadType: 'application/vnd.in-toto+json',
            payload: 'bm90IGpzb24='
          }
        },
        {
          mediaType: 'application/vnd.dsse.envelope.v1+json',
          predicateType: spdx,
          body: envelope(spdx, `sha256:${'e'.repeat(64)}`)
        },
        {
          mediaType: 'application/vnd.dsse.envelope.v1+json',
          predicateType: spdx,
          body: envelope('https://slsa.dev/provenance/v1', digest)
        }
      ]
    )
    await expect(
      findAttachedSbom(client, repo, digest)
    ).resolves.toBeUndefined()
  })

  it('is found in a .att layer holding an in-toto SBOM statement about the image', async () => {
    const client = registryWith(
      [],
      [
        {
          mediaType: 'application/vnd.dsse.envelope.v1+json',
          predicateType: `${spdx}/v2.3`,
          body: envelope(`${spdx}/v2.3`, digest)
        }
      ]
    )
    const found = await findAttachedSbom(client, repo, digest)
    expect(found?.predicateType).toBe(`${spdx}/v2.3`)
    expect(found?.url).toMatch(
      /^oci:\/\/registry\.example\/acme\/base@sha256:[0-9a-f]{64}$/
    )
    expect(found?.url.endsWith(found.sha256)).toBe(true)
  })

  it('is found in a bundle referrer holding one', async () => {
    const bundle = {
      dsseEnvelope: envelope('https://cyclonedx.org/bom', digest)
    }
    const found = await findAttachedSbom(
      registryWith([bundle], []),
      repo,
      digest
    )
    expect(found?.predicateType).toBe('https://cyclonedx.org/bom')
  })
})
