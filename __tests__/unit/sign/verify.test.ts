import {
  createHash,
  generateKeyPairSync,
  sign,
  type KeyObject
} from 'node:crypto'
import { beforeAll, describe, expect, it } from '@jest/globals'
import type { Digest } from '../../../src/oci/digest'
import { parseReference } from '../../../src/oci/reference'
import { certificatePem } from '../../../src/sign/certificate'
import {
  inTotoPayloadType,
  pae,
  simpleSigningPayload
} from '../../../src/sign/payload'
import {
  publicGoodTrustedRoot,
  trustMaterialFrom
} from '../../../src/sign/trusted-root'
import {
  bundleStatement,
  legacyAttestationStatement,
  legacySignatureValid,
  type KeylessTrust
} from '../../../src/sign/verify'
import {
  bundleTlogEntry,
  fakeSigstore,
  type FakeSigstore,
  type RekorAnswer
} from '../../helpers/fake-sigstore'

const digest = `sha256:${'ab'.repeat(32)}` as Digest
const repo = parseReference('registry.test/acme/app:v1').repository
const identity =
  'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main'
const issuer = 'https://token.actions.githubusercontent.com'

/** What one keyless signer made: its certificate and key, logged in `instance`'s Rekor. */
interface Signed {
  certificate: Buffer
  privateKey: KeyObject
}

let sigstore: FakeSigstore
/** Someone else's Fulcio: a CA and CT log anyone can run, issuing whatever SAN is asked for. */
let forger: FakeSigstore
let trust: KeylessTrust

async function signer(
  ca: FakeSigstore,
  san = identity,
  iss = issuer
): Promise<Signed> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1'
  })
  return { certificate: await ca.issue(publicKey, san, iss), privateKey }
}

const entryOf = (answer: RekorAnswer) => Object.values(answer)[0]

/** cosign's `RekorBundle` annotation for a logged entry. */
function setAnnotation(answer: RekorAnswer): string {
  const e = entryOf(answer)
  return JSON.stringify({
    SignedEntryTimestamp: e.verification.signedEntryTimestamp,
    Payload: {
      body: e.body,
      integratedTime: e.integratedTime,
      logIndex: e.logIndex,
      logID: e.logID
    }
  })
}

/** A keyless `.sig` layer as cosign writes it, its hashedrekord entry in `log`'s Rekor. */
async function legacySig(by: Signed, log: FakeSigstore, payload: Buffer) {
  const signature = sign('sha256', payload, by.privateKey).toString('base64')
  const pem = certificatePem(by.certificate)
  const answer = await log.log({
    apiVersion: '0.0.1',
    kind: 'hashedrekord',
    spec: {
      data: {
        hash: {
          algorithm: 'sha256',
          value: createHash('sha256').update(payload).digest('hex')
        }
      },
      signature: {
        content: signature,
        publicKey: { content: Buffer.from(pem).toString('base64') }
      }
    }
  })
  return {
    payload,
    layer: {
      mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
      digest:
        `sha256:${createHash('sha256').update(payload).digest('hex')}` as Digest,
      size: payload.length,
      annotations: {
        'dev.cosignproject.cosign/signature': signature,
        'dev.sigstore.cosign/certificate': pem,
        'dev.sigstore.cosign/chain': '',
        'dev.sigstore.cosign/bundle': setAnnotation(answer)
      }
    }
  }
}

const statement = Buffer.from(
  JSON.stringify({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ digest: { sha256: 'ab'.repeat(32) } }],
    predicateType: 'https://cyclonedx.org/bom',
    predicate: { components: [] }
  })
)

/** A DSSE envelope over `statement` and its dsse entry in `log`'s Rekor. */
async function envelopeOf(by: Signed, log: FakeSigstore, body = statement) {
  const envelope = {
    payloadType: inTotoPayloadType,
    payload: body.toString('base64'),
    signatures: [
      {
        keyid: '',
        sig: sign(
          'sha256',
          pae(inTotoPayloadType, body),
          by.privateKey
        ).toString('base64')
      }
    ]
  }
  const answer = await log.log({
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      proposedContent: {
        envelope: JSON.stringify(envelope),
        verifiers: [
          Buffer.from(certificatePem(by.certificate)).toString('base64')
        ]
      }
    }
  })
  return { envelope, answer }
}

/** The v0.3 bundle (cosign v3's referrer) of a DSSE envelope. */
async function bundleOf(by: Signed, log: FakeSigstore, body = statement) {
  const { envelope, answer } = await envelopeOf(by, log, body)
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      certificate: { rawBytes: by.certificate.toString('base64') },
      tlogEntries: [bundleTlogEntry(answer)],
      timestampVerificationData: {}
    },
    dsseEnvelope: envelope
  }
}

/** The `.att` layer cosign v2 writes for a DSSE envelope. */
async function attLayer(by: Signed, log: FakeSigstore) {
  const { envelope, answer } = await envelopeOf(by, log)
  return {
    payload: Buffer.from(JSON.stringify(envelope)),
    layer: {
      annotations: {
        'dev.cosignproject.cosign/signature': '',
        predicateType: 'https://cyclonedx.org/bom',
        'dev.sigstore.cosign/certificate': certificatePem(by.certificate),
        'dev.sigstore.cosign/chain': '',
        'dev.sigstore.cosign/bundle': setAnnotation(answer)
      }
    }
  }
}

beforeAll(async () => {
  sigstore = await fakeSigstore()
  forger = await fakeSigstore()
  trust = {
    identity,
    issuer,
    trustedRoot: trustMaterialFrom(sigstore.trustedRoot)
  }
})

describe('keyless verification', () => {
  const payload = simpleSigningPayload(repo, digest)

  it('accepts a legacy .sig whose certificate chains to the trusted root and names the identity and issuer', async () => {
    const sig = await legacySig(await signer(sigstore), sigstore, payload)
    expect(legacySignatureValid(sig, digest, trust)).toBe(true)
  })

  it('rejects a certificate with the right identity from a CA the trusted root does not hold, even logged in its Rekor', async () => {
    // Anyone can run a CA and have it name any workflow; the signature is logged in the real log.
    const sig = await legacySig(await signer(forger), sigstore, payload)
    expect(legacySignatureValid(sig, digest, trust)).toBe(false)
    expect(
      bundleStatement(
        await bundleOf(await signer(forger), sigstore),
        digest,
        trust
      )
    ).toBeUndefined()
    expect(
      legacyAttestationStatement(
        await attLayer(await signer(forger), sigstore),
        digest,
        trust
      )
    ).toBeUndefined()
  })

  it('rejects another issuer or identity, and a signature not in the trusted Rekor log', async () => {
    const google = await legacySig(
      await signer(sigstore, identity, 'https://accounts.google.com'),
      sigstore,
      payload
    )
    expect(legacySignatureValid(google, digest, trust)).toBe(false)
    expect(
      legacySignatureValid(
        await legacySig(await signer(sigstore), sigstore, payload),
        digest,
        { ...trust, issuer: 'https://accounts.google.com' }
      )
    ).toBe(false)
    const fork = await legacySig(
      await signer(
        sigstore,
        'https://github.com/evil/fork/.github/workflows/release.yml@refs/heads/main'
      ),
      sigstore,
      payload
    )
    expect(legacySignatureValid(fork, digest, trust)).toBe(false)
    // A prefix of the identity is no match (cosign's --certificate-identity is exact).
    expect(
      legacySignatureValid(
        await legacySig(await signer(sigstore), sigstore, payload),
        digest,
        { ...trust, identity: identity.slice(0, -4) }
      )
    ).toBe(false)
    // The right certificate, but the entry is in a log the root does not trust.
    const unlogged = await legacySig(await signer(sigstore), forger, payload)
    expect(legacySignatureValid(unlogged, digest, trust)).toBe(false)
    // No SET at all.
    const bare = await legacySig(await signer(sigstore), sigstore, payload)
    delete (bare.layer.annotations as Record<string, string>)[
      'dev.sigstore.cosign/bundle'
    ]
    expect(legacySignatureValid(bare, digest, trust)).toBe(false)
  })

  it('rejects a payload that is not the one signed, or names another digest', async () => {
    const sig = await legacySig(await signer(sigstore), sigstore, payload)
    expect(
      legacySignatureValid(
        {
          ...sig,
          payload: simpleSigningPayload(repo, `sha256:${'cd'.repeat(32)}`)
        },
        `sha256:${'cd'.repeat(32)}` as Digest,
        trust
      )
    ).toBe(false)
    expect(
      legacySignatureValid(sig, `sha256:${'cd'.repeat(32)}` as Digest, trust)
    ).toBe(false)
  })

  it('verifies v0.3 bundles and .att layers the same way, returning their statement', async () => {
    const by = await signer(sigstore)
    expect(
      bundleStatement(await bundleOf(by, sigstore), digest, trust)
        ?.predicateType
    ).toBe('https://cyclonedx.org/bom')
    expect(
      legacyAttestationStatement(await attLayer(by, sigstore), digest, trust)
        ?.predicateType
    ).toBe('https://cyclonedx.org/bom')
    expect(
      bundleStatement(await bundleOf(by, sigstore), digest, {
        ...trust,
        issuer: 'https://accounts.google.com'
      })
    ).toBeUndefined()
    expect(
      legacyAttestationStatement(await attLayer(by, sigstore), digest, {
        ...trust,
        identity:
          'https://github.com/evil/fork/.github/workflows/x.yml@refs/heads/main'
      })
    ).toBeUndefined()
  })

  it('without a trusted root, accepts only the certificates this run was issued (its own writes)', async () => {
    const ours = await signer(sigstore)
    const earlier = await signer(sigstore)
    const own: KeylessTrust = { identity, issuer, issued: [ours.certificate] }
    expect(
      legacySignatureValid(
        await legacySig(ours, sigstore, payload),
        digest,
        own
      )
    ).toBe(true)
    expect(
      bundleStatement(await bundleOf(ours, sigstore), digest, own)
    ).toBeDefined()
    expect(
      legacySignatureValid(
        await legacySig(earlier, sigstore, payload),
        digest,
        own
      )
    ).toBe(false)
    // Our certificate with someone else's signature: the key must have signed it.
    const sig = await legacySig(ours, sigstore, payload)
    const other = await legacySig(earlier, sigstore, payload)
    sig.layer.annotations['dev.cosignproject.cosign/signature'] =
      other.layer.annotations['dev.cosignproject.cosign/signature']
    expect(legacySignatureValid(sig, digest, own)).toBe(false)
  })

  it('builds the public-good trusted root in, and rejects a file that is not one', () => {
    expect(
      trustMaterialFrom(publicGoodTrustedRoot).certificateAuthorities.length
    ).toBeGreaterThan(0)
    expect(() => trustMaterialFrom({ mediaType: 'x' })).toThrow(
      /not a Sigstore trusted root/
    )
  })
})
