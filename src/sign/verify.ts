import {
  createHash,
  KeyObject,
  verify as cryptoVerify,
  X509Certificate
} from 'node:crypto'
import { certificateIdentity } from './keyless'
import { digestHex, type Digest } from '../oci/digest'
import type { Repository } from '../oci/reference'
import type { RegistryClient } from '../registry/client'
import { bundleMediaType, listBundleReferrers } from './bundle-referrer'
import {
  readLegacySignatures,
  signatureAnnotation,
  type ExistingSignature
} from './legacy-sig'
import { inTotoPayloadType, pae, simpleSigningType } from './payload'

/**
 * What a signature must verify with: a public key, or (keyless) the certificate it carries, whose
 * identity must be this one.
 */
export type Trust = KeyObject | { identity: string }

function keyFromCertificate(
  der: Buffer | undefined,
  trust: Trust
): KeyObject | undefined {
  if (trust instanceof KeyObject) return trust
  if (!der) return undefined
  const certificate = new X509Certificate(der)
  return certificateIdentity(certificate) === trust.identity
    ? certificate.publicKey
    : undefined
}

function pemToDer(pem: string | undefined): Buffer | undefined {
  if (!pem) return undefined
  return Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64')
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

/** A legacy `.sig` layer signed by `key` over a payload for `digest`. */
export function legacySignatureValid(
  signature: ExistingSignature,
  digest: Digest,
  key: Trust
): boolean {
  const encoded = signature.layer.annotations?.[signatureAnnotation]
  if (!encoded || !payloadNames(signature.payload, digest)) return false
  const certificate =
    signature.layer.annotations?.['dev.sigstore.cosign/certificate']
  const verifier = keyFromCertificate(pemToDer(certificate), key)
  return (
    verifier !== undefined &&
    cryptoVerify(
      'sha256',
      signature.payload,
      verifier,
      Buffer.from(encoded, 'base64')
    )
  )
}

interface BundleJson {
  mediaType?: string
  verificationMaterial?: { certificate?: { rawBytes?: string } }
  dsseEnvelope?: {
    payload: string
    payloadType: string
    signatures: { sig: string }[]
  }
}

/** The in-toto statement of a DSSE bundle signed by `key`, if its subject is `digest`. */
export function bundleStatement(
  bundle: unknown,
  digest: Digest,
  key: Trust
): VerifiedStatement | undefined {
  try {
    return checkBundle(bundle, digest, key)
  } catch {
    return undefined
  }
}

function checkBundle(
  bundle: unknown,
  digest: Digest,
  key: Trust
): VerifiedStatement | undefined {
  const b = bundle as BundleJson
  if (b.mediaType !== bundleMediaType || !b.dsseEnvelope) return undefined
  const certificate = b.verificationMaterial?.certificate?.rawBytes
  return checkEnvelope(
    b.dsseEnvelope,
    digest,
    keyFromCertificate(
      certificate ? Buffer.from(certificate, 'base64') : undefined,
      key
    )
  )
}

/** A verified in-toto statement: its predicate type, and the whole statement. */
export interface VerifiedStatement {
  predicateType: string
  statement: Record<string, unknown>
}

/** A DSSE envelope over an in-toto statement naming `digest`, signed by `verifier`. */
function checkEnvelope(
  envelope: NonNullable<BundleJson['dsseEnvelope']>,
  digest: Digest,
  verifier: KeyObject | undefined
): VerifiedStatement | undefined {
  if (!verifier || envelope.payloadType !== inTotoPayloadType) return undefined
  const payload = Buffer.from(envelope.payload, 'base64')
  const signed = envelope.signatures.some(s =>
    cryptoVerify(
      'sha256',
      pae(envelope.payloadType, payload),
      verifier,
      Buffer.from(s.sig, 'base64')
    )
  )
  if (!signed) return undefined
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

/** The statement of a legacy `.att` layer, when its envelope verifies with `key` and names `digest`. */
export function legacyAttestationStatement(
  attestation: {
    layer: { annotations?: Record<string, string> }
    payload: Buffer
  },
  digest: Digest,
  key: Trust
): VerifiedStatement | undefined {
  try {
    const envelope = JSON.parse(
      attestation.payload.toString('utf8')
    ) as NonNullable<BundleJson['dsseEnvelope']>
    const certificate =
      attestation.layer.annotations?.['dev.sigstore.cosign/certificate']
    return checkEnvelope(
      envelope,
      digest,
      keyFromCertificate(pemToDer(certificate), key)
    )
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

function identityIn(der: Buffer | undefined): string | undefined {
  if (!der) return undefined
  try {
    return certificateIdentity(new X509Certificate(der))
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
  const identity = identityIn(
    material?.certificate?.rawBytes
      ? Buffer.from(material.certificate.rawBytes, 'base64')
      : undefined
  )
  if (identity) return `certificate for ${identity}`
  return material?.publicKey?.hint
    ? `key with hint ${material.publicKey.hint}`
    : undefined
}

/** Reads both signature formats of `digest` back from the registry and checks them with `key`. */
export async function verifyImageSignatures(
  client: RegistryClient,
  repo: Repository,
  digest: Digest,
  key: Trust
): Promise<VerificationReport> {
  const [{ signatures }, { signatures: legacyAttestations }, referrers] =
    await Promise.all([
      readLegacySignatures(client, repo, digest),
      readLegacySignatures(client, repo, digest, 'att'),
      listBundleReferrers(client, repo, digest)
    ])
  const statements = referrers
    .map(r => bundleStatement(r.bundle, digest, key))
    .filter((s): s is VerifiedStatement => s !== undefined)
  const attested = legacyAttestations
    .map(a => legacyAttestationStatement(a, digest, key))
    .filter((s): s is VerifiedStatement => s !== undefined)
  const signers = new Set<string>()
  for (const r of referrers) {
    const signer = signerOf(
      (r.bundle as BundleJson | undefined)?.verificationMaterial
    )
    if (signer) signers.add(signer)
  }
  for (const signature of signatures) {
    const identity = identityIn(
      pemToDer(signature.layer.annotations?.['dev.sigstore.cosign/certificate'])
    )
    signers.add(
      identity
        ? `certificate for ${identity}`
        : 'a key (the .sig does not say which)'
    )
  }
  return {
    signers: [...signers].sort(),
    legacy: {
      verified: signatures.filter(s => legacySignatureValid(s, digest, key))
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
