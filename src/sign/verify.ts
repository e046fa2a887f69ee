import {
  createHash,
  createPublicKey,
  KeyObject,
  verify as cryptoVerify
} from 'node:crypto'
import { BUNDLE_V01_MEDIA_TYPE, bundleFromJSON } from '@sigstore/bundle'
import { toSignedEntity, Verifier, type TrustMaterial } from '@sigstore/verify'
import { digestHex, type Digest } from '../oci/digest'
import type { Repository } from '../oci/reference'
import type { RegistryClient } from '../registry/client'
import { bundleMediaType, listBundleReferrers } from './bundle-referrer'
import { certificateFacts, pemToDer } from './certificate'
import {
  readLegacySignatures,
  signatureAnnotation,
  type ExistingSignature
} from './legacy-sig'
import { inTotoPayloadType, pae, simpleSigningType } from './payload'

/** The `.sig` / `.att` layer annotations cosign writes for keyless signatures. */
export const certificateAnnotation = 'dev.sigstore.cosign/certificate'
export const rekorBundleAnnotation = 'dev.sigstore.cosign/bundle'

/** The OIDC issuer of GitHub Actions' tokens: what keyless verification expects unless told. */
export const githubActionsIssuer = 'https://token.actions.githubusercontent.com'

/**
 * Keyless trust, as cosign's `--certificate-identity` and `--certificate-oidc-issuer`: the
 * certificate must name exactly this identity (subject alternative name) and OIDC issuer, and be
 * one that a Sigstore instance vouches for.
 */
export interface KeylessTrust {
  identity: string
  issuer: string
  /**
   * The instance's trusted root: the certificate must chain to one of its Fulcio CAs, carry an
   * SCT from one of its CT logs, and the signature be in one of its Rekor logs (SET or inclusion
   * proof), at a time the certificate was valid.
   */
  trustedRoot?: TrustMaterial
  /**
   * Certificates Fulcio issued to this very run (DER). A signature by one of them is this run's
   * own write, read back: its signature is checked, the certificate taken as Fulcio gave it.
   */
  issued?: readonly Buffer[]
}

/** What a signature must verify with: a public key, or (keyless) an identity and who vouches for it. */
export type Trust = KeyObject | KeylessTrust

/**
 * Whether a Sigstore bundle (any version; `artifact` for a message signature) is signed by a
 * certificate that `trust` accepts. Never throws: a malformed or forged bundle is just not.
 */
export function keylessBundleVerified(
  json: unknown,
  trust: KeylessTrust,
  artifact?: Buffer
): boolean {
  try {
    const bundle = bundleFromJSON(json)
    const entity = toSignedEntity(bundle, artifact)
    if (entity.key.$case !== 'certificate') return false
    const leaf = entity.key.certificate
    const der = leaf.root.toDER()
    const facts = certificateFacts(der)
    if (facts.identity !== trust.identity || facts.issuer !== trust.issuer)
      return false
    if (trust.issued?.some(c => c.equals(der)))
      return entity.signature.verifySignature(
        createPublicKey({ key: leaf.publicKey, format: 'der', type: 'spki' })
      )
    if (!trust.trustedRoot) return false
    const signer = new Verifier(trust.trustedRoot, {
      tlogThreshold: 1,
      ctlogThreshold: 1,
      timestampThreshold: 1
    }).verify(entity)
    return (
      signer.identity?.subjectAlternativeName === trust.identity &&
      signer.identity.extensions?.issuer === trust.issuer
    )
  } catch {
    return false
  }
}

/**
 * A keyless `.sig` or `.att` layer as the Sigstore bundle (v0.1) it stands for: the certificate
 * annotation and the Rekor SET annotation (cosign's `RekorBundle`) around its signed content.
 */
function legacyBundle(
  annotations: Record<string, string> | undefined,
  content:
    | { messageSignature: object }
    | { dsseEnvelope: NonNullable<BundleJson['dsseEnvelope']> }
): object | undefined {
  const leaf = pemToDer(annotations?.[certificateAnnotation])
  if (!leaf) return undefined
  const set = annotations?.[rekorBundleAnnotation]
  return {
    mediaType: BUNDLE_V01_MEDIA_TYPE,
    verificationMaterial: {
      x509CertificateChain: {
        certificates: [{ rawBytes: leaf.toString('base64') }]
      },
      tlogEntries: set ? [tlogEntryOf(set)] : [],
      timestampVerificationData: { rfc3161Timestamps: [] }
    },
    ...content
  }
}

/** cosign's `RekorBundle` annotation as a bundle's transparency log entry (with a promise, no proof). */
function tlogEntryOf(annotation: string): object {
  const set = JSON.parse(annotation) as {
    SignedEntryTimestamp: string
    Payload: {
      body: string
      integratedTime: number
      logIndex: number
      logID: string
    }
  }
  const body = JSON.parse(
    Buffer.from(set.Payload.body, 'base64').toString('utf8')
  ) as { kind?: string; apiVersion?: string }
  return {
    logIndex: String(set.Payload.logIndex),
    logId: { keyId: Buffer.from(set.Payload.logID, 'hex').toString('base64') },
    kindVersion: { kind: body.kind, version: body.apiVersion },
    integratedTime: String(set.Payload.integratedTime),
    inclusionPromise: { signedEntryTimestamp: set.SignedEntryTimestamp },
    canonicalizedBody: set.Payload.body
  }
}

/** Whether a simple-signing payload is well-formed (containers/image's strict rules) and names `digest`. */
export function payloadNames(payload: Buffer, digest: Digest): boolean {
  try {
    const parsed = JSON.parse(payload.toString('utf8')) as Record<
      string,
      unknown
    >
    const keys = Object.keys(parsed).sort().join(',')
    const critical = parsed.critical as Record<string, Record<string, unknown>>
    return (
      keys === 'critical,optional' &&
      Object.keys(critical).sort().join(',') === 'identity,image,type' &&
      (critical.type as unknown) === simpleSigningType &&
      critical.image['docker-manifest-digest'] === digest
    )
  } catch {
    return false
  }
}

/** A legacy `.sig` layer over a payload for `digest`, signed by the key or a certificate `trust` accepts. */
export function legacySignatureValid(
  signature: ExistingSignature,
  digest: Digest,
  trust: Trust
): boolean {
  const annotations = signature.layer.annotations
  const encoded = annotations?.[signatureAnnotation]
  if (!encoded || !payloadNames(signature.payload, digest)) return false
  if (trust instanceof KeyObject)
    return cryptoVerify(
      'sha256',
      signature.payload,
      trust,
      Buffer.from(encoded, 'base64')
    )
  const bundle = legacyBundle(annotations, {
    messageSignature: {
      messageDigest: {
        algorithm: 'SHA2_256',
        digest: createHash('sha256').update(signature.payload).digest('base64')
      },
      signature: encoded
    }
  })
  return (
    bundle !== undefined &&
    keylessBundleVerified(bundle, trust, signature.payload)
  )
}

interface BundleJson {
  mediaType?: string
  verificationMaterial?: { certificate?: { rawBytes?: string } }
  dsseEnvelope?: {
    payload: string
    payloadType: string
    signatures: { sig: string; keyid?: string }[]
  }
}

/** The in-toto statement of a DSSE bundle signed by the key or a certificate `trust` accepts, if its subject is `digest`. */
export function bundleStatement(
  bundle: unknown,
  digest: Digest,
  trust: Trust
): VerifiedStatement | undefined {
  try {
    const b = bundle as BundleJson
    if (b.mediaType !== bundleMediaType || !b.dsseEnvelope) return undefined
    const signed =
      trust instanceof KeyObject
        ? envelopeSignedBy(b.dsseEnvelope, trust)
        : keylessBundleVerified(bundle, trust)
    return signed ? statementNaming(b.dsseEnvelope, digest) : undefined
  } catch {
    return undefined
  }
}

/** A verified in-toto statement: its predicate type, and the whole statement. */
export interface VerifiedStatement {
  predicateType: string
  statement: Record<string, unknown>
}

/** Whether one of the envelope's signatures (over DSSE's PAE) verifies with `key`. */
function envelopeSignedBy(
  envelope: NonNullable<BundleJson['dsseEnvelope']>,
  key: KeyObject
): boolean {
  const payload = Buffer.from(envelope.payload, 'base64')
  return envelope.signatures.some(s =>
    cryptoVerify(
      'sha256',
      pae(envelope.payloadType, payload),
      key,
      Buffer.from(s.sig, 'base64')
    )
  )
}

/** The in-toto statement an (already verified) envelope carries, when it names `digest`. */
function statementNaming(
  envelope: NonNullable<BundleJson['dsseEnvelope']>,
  digest: Digest
): VerifiedStatement | undefined {
  if (envelope.payloadType !== inTotoPayloadType) return undefined
  const payload = Buffer.from(envelope.payload, 'base64')
  const statement = JSON.parse(payload.toString('utf8')) as {
    subject?: { digest?: { sha256?: string } }[]
    predicateType: string
  }
  const names = statement.subject?.some(
    s => s.digest?.sha256 === digestHex(digest)
  )
  return names
    ? {
        predicateType: statement.predicateType,
        statement: statement as unknown as Record<string, unknown>
      }
    : undefined
}

/** The statement of a legacy `.att` layer, when its envelope verifies with `trust` and names `digest`. */
export function legacyAttestationStatement(
  attestation: {
    layer: { annotations?: Record<string, string> }
    payload: Buffer
  },
  digest: Digest,
  trust: Trust
): VerifiedStatement | undefined {
  try {
    const envelope = JSON.parse(
      attestation.payload.toString('utf8')
    ) as NonNullable<BundleJson['dsseEnvelope']>
    if (trust instanceof KeyObject)
      return envelopeSignedBy(envelope, trust)
        ? statementNaming(envelope, digest)
        : undefined
    const bundle = legacyBundle(attestation.layer.annotations, {
      dsseEnvelope: {
        payload: envelope.payload,
        payloadType: envelope.payloadType,
        signatures: envelope.signatures.map(s => ({
          sig: s.sig,
          keyid: s.keyid ?? ''
        }))
      }
    })
    return bundle && keylessBundleVerified(bundle, trust)
      ? statementNaming(envelope, digest)
      : undefined
  } catch {
    return undefined
  }
}

export interface VerificationReport {
  legacy: { verified: number; total: number }
  bundles: { verified: number; total: number; predicateTypes: string[] }
  /** cosign v2 attestations under the `.att` tag. */
  attestations: { verified: number; total: number; predicateTypes: string[] }
  /** Every verified statement (referrers first, then `.att`), for `imprint verify --type`. */
  statements: VerifiedStatement[]
  /** Who made the signatures found, verified or not: key hints and certificate identities. */
  signers: string[]
}

/** The key hint verifiers use: base64(sha256(SPKI DER)). */
export function keyHint(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('base64')
}

/** A certificate's identity and issuer as a person reads them, if it parses. */
function describeCertificate(der: Buffer | undefined): string | undefined {
  if (!der) return undefined
  try {
    const { identity, issuer } = certificateFacts(der)
    if (!identity) return undefined
    return `certificate for ${identity}${issuer ? ` (issuer ${issuer})` : ''}`
  } catch {
    return undefined
  }
}

/** Who signed, as far as a signature says: a certificate's identity, or a key's hint. */
function signerOf(
  material:
    | (NonNullable<BundleJson['verificationMaterial']> & {
        publicKey?: { hint?: string }
      })
    | undefined
): string | undefined {
  const certificate = describeCertificate(
    material?.certificate?.rawBytes
      ? Buffer.from(material.certificate.rawBytes, 'base64')
      : undefined
  )
  if (certificate) return certificate
  return material?.publicKey?.hint
    ? `key with hint ${material.publicKey.hint}`
    : undefined
}

/** Reads both signature formats of `digest` back from the registry and checks them with `trust`. */
export async function verifyImageSignatures(
  client: RegistryClient,
  repo: Repository,
  digest: Digest,
  trust: Trust
): Promise<VerificationReport> {
  const [{ signatures }, { signatures: legacyAttestations }, referrers] =
    await Promise.all([
      readLegacySignatures(client, repo, digest),
      readLegacySignatures(client, repo, digest, 'att'),
      listBundleReferrers(client, repo, digest)
    ])
  const statements = referrers
    .map(r => bundleStatement(r.bundle, digest, trust))
    .filter((s): s is VerifiedStatement => s !== undefined)
  const attested = legacyAttestations
    .map(a => legacyAttestationStatement(a, digest, trust))
    .filter((s): s is VerifiedStatement => s !== undefined)
  const signers = new Set<string>()
  for (const r of referrers) {
    const signer = signerOf(
      (r.bundle as BundleJson | undefined)?.verificationMaterial
    )
    if (signer) signers.add(signer)
  }
  for (const signature of signatures) {
    signers.add(
      describeCertificate(
        pemToDer(signature.layer.annotations?.[certificateAnnotation])
      ) ?? 'a key (the .sig does not say which)'
    )
  }
  return {
    signers: [...signers].sort(),
    legacy: {
      verified: signatures.filter(s => legacySignatureValid(s, digest, trust))
        .length,
      total: signatures.length
    },
    bundles: {
      verified: statements.length,
      total: referrers.length,
      predicateTypes: statements.map(s => s.predicateType).sort()
    },
    attestations: {
      verified: attested.length,
      total: legacyAttestations.length,
      predicateTypes: attested.map(s => s.predicateType).sort()
    },
    statements: [...statements, ...attested]
  }
}
