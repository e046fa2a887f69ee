import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from '@jest/globals'
import { Repository } from '../../../src/oci/reference'
import type { RegistryClient } from '../../../src/registry/client'
import {
  attachStatement,
  checkAttestationSize,
  maxAttestationBytes
} from '../../../src/sign/attestation'
import type { SigningMethod } from '../../../src/sign/signer'
import { silentLogger } from '../../../src/util/log'

const digest = `sha256:${'a'.repeat(64)}` as const

/** A registry client that records every call and answers none: nothing may be written. */
function recordingClient(): { client: RegistryClient; calls: string[] } {
  const calls: string[] = []
  const client = new Proxy(
    {},
    {
      get: (_target, name) => () => {
        calls.push(String(name))
        throw new Error(`unexpected registry call ${String(name)}`)
      }
    }
  ) as RegistryClient
  return { client, calls }
}

describe('attestation size', () => {
  it('passes a statement whose signed form fits, and refuses one that does not', () => {
    const limit = 1024 * 1024
    expect(() =>
      checkAttestationSize(Buffer.alloc(600 * 1024), 'the SBOM', limit)
    ).not.toThrow()
    // Base64 adds a third: 760 KiB of statement is over 1 MiB once signed.
    expect(() =>
      checkAttestationSize(Buffer.alloc(760 * 1024), 'the SBOM of x', limit)
    ).toThrow(
      /^the SBOM of x is 0\.7 MiB as an in-toto statement, about 1\.1 MiB once signed: over the 1\.0 MiB attestations are read back with, so it cannot be attached; nothing was signed$/
    )
    // The default bound is the one attestations are read back with.
    expect(maxAttestationBytes).toBe(64 * 1024 * 1024)
    expect(() =>
      checkAttestationSize(Buffer.alloc(48 * 1024 * 1024), 'the SBOM')
    ).toThrow('over the 64.0 MiB')
  })

  it('writes nothing when the signed bundle is over the bound', async () => {
    const { client, calls } = recordingClient()
    const method: SigningMethod = {
      kind: 'key',
      trust: async () =>
        generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey,
      legacyAnnotations: async () => ({}),
      // A signer's bundle larger than what the statement alone suggests.
      statementBundle: async () => ({
        dsseEnvelope: {
          payload: 'x'.repeat(maxAttestationBytes),
          payloadType: 'application/vnd.in-toto+json',
          signatures: []
        }
      })
    }
    await expect(
      attachStatement(
        client,
        Repository.parse('registry.example/acme/app'),
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest,
          size: 2
        },
        method,
        {
          statement: Buffer.from('{}'),
          predicateType: 'https://cyclonedx.org/bom'
        },
        '2026-01-01T00:00:00Z',
        silentLogger,
        // None attached yet (listing them reads, and writes nothing either).
        { legacy: true, referrers: [], trust: await method.trust() }
      )
    ).rejects.toThrow(
      `the signed https://cyclonedx.org/bom attestation of registry.example/acme/app@${digest} is 64.0 MiB, over the 64.0 MiB attestations are read back with; it was not written`
    )
    expect(calls).toEqual([])
  })
})
