import { isDeepStrictEqual } from 'node:util'
import type { Repository } from '../oci/reference'
import type { Descriptor } from '../oci/types'
import type { RegistryClient } from '../registry/client'
import { sizeLimits } from '../registry/http'
import type { Logger } from '../util/log'
import {
  attachBundle,
  listBundleReferrers,
  type Referrer
} from './bundle-referrer'
import {
  appendLegacySignature,
  predicateTypeAnnotation,
  signatureAnnotation,
  type LegacySignature
} from './legacy-sig'
import { certificatePem } from './certificate'
import type { SigningMethod } from './signer'
import {
  bundleStatement,
  legacyAttestationStatement,
  type Trust
} from './verify'

/** An in-toto statement to sign and attach, and when an existing one counts as the same. */
export interface Attestation {
  statement: Buffer
  predicateType: string
  /**
   * Whether an existing statement of this type (signed by this run's key or identity) is the same
   * attestation; by default, when it is the very same statement.
   */
  sameAs?: (existing: unknown) => boolean
}

/** Where an attestation went: the bundle referrer (cosign v3) and the `.att` tag (cosign v2). */
export interface Attached {
  predicateType: string
  bundle: string
  legacy: string
  written: boolean
  /** The signed bundle itself (for GitHub's attestation store). */
  signed?: object
}

interface BundleJson {
  dsseEnvelope?: {
    payload: string
    payloadType: string
    signatures: { sig: string; keyid?: string }[]
  }
  verificationMaterial?: {
    certificate?: { rawBytes?: string }
    tlogEntries?: {
      logIndex?: string
      logId?: { keyId?: string }
      integratedTime?: string
      inclusionPromise?: { signedEntryTimestamp?: string }
      canonicalizedBody?: string
    }[]
  }
}

/**
 * The most a signed attestation may hold: what `.att` layers and bundle referrers are read back
 * with (verification after writing, `imprint verify`, re-runs). One written larger could never be
 * read again, and would make its image's whole `.att` tag unreadable.
 */
export const maxAttestationBytes: number = sizeLimits.attestation

/** Room for what a bundle adds to the envelope: signature, certificate, Rekor entry, timestamps. */
const bundleOverhead = 64 * 1024

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

/**
 * Throws, before anything is signed or written, when the signed form of `statement` (base64 in a
 * DSSE envelope, inside a bundle) could exceed what attestations are read back with. `what` names
 * it in the message (`the SBOM of sha256:…`).
 */
export function checkAttestationSize(
  statement: Buffer,
  what: string,
  limit = maxAttestationBytes
): void {
  const signed = 4 * Math.ceil(statement.length / 3) + bundleOverhead
  if (signed > limit)
    throw new Error(
      `${what} is ${mib(statement.length)} as an in-toto statement, about ${mib(signed)} once signed: over the ${mib(limit)} attestations are read back with, so it cannot be attached; nothing was signed`
    )
}

/**
 * The `.att` layer cosign v2 writes for the same signed envelope: the DSSE envelope itself, its
 * predicate type, and (keyless) the certificate and the Rekor SET, so `cosign verify-attestation`
 * and policy engines that read `.att` find what the referrer holds.
 */
export function legacyAttestation(
  bundle: object,
  predicateType: string
): LegacySignature {
  const b = bundle as BundleJson
  const envelope = b.dsseEnvelope
  if (!envelope) throw new Error('the attestation bundle has no DSSE envelope')
  const payload = Buffer.from(
    JSON.stringify({
      payloadType: envelope.payloadType,
      payload: envelope.payload,
      signatures: envelope.signatures.map(s => ({
        keyid: s.keyid ?? '',
        sig: s.sig
      }))
    })
  )
  const annotations: Record<string, string> = {
    [signatureAnnotation]: '',
    [predicateTypeAnnotation]: predicateType
  }
  const material = b.verificationMaterial
  const certificate = material?.certificate?.rawBytes
  if (certificate) {
    annotations['dev.sigstore.cosign/certificate'] = certificatePem(
      Buffer.from(certificate, 'base64')
    )
    annotations['dev.sigstore.cosign/chain'] = ''
  }
  const entry = material?.tlogEntries?.[0]
  if (
    entry?.inclusionPromise?.signedEntryTimestamp &&
    entry.canonicalizedBody
  ) {
    annotations['dev.sigstore.cosign/bundle'] = JSON.stringify({
      SignedEntryTimestamp: entry.inclusionPromise.signedEntryTimestamp,
      Payload: {
        body: entry.canonicalizedBody,
        integratedTime: Number(entry.integratedTime),
        logIndex: Number(entry.logIndex),
        logID: Buffer.from(entry.logId?.keyId ?? '', 'base64').toString('hex')
      }
    })
  }
  return { payload, annotations }
}

function statementOf(bundle: unknown): unknown {
  const payload = (bundle as BundleJson).dsseEnvelope?.payload
  return payload
    ? JSON.parse(Buffer.from(payload, 'base64').toString('utf8'))
    : undefined
}

/**
 * Signs an in-toto statement once (DSSE) and attaches the signature twice: as a bundle referrer of
 * `subject` (cosign v3) and as a layer of its `.att` tag (cosign v2). The same attestation
 * (`sameAs`) of the same type already there, signed with what `trust` accepts (this run's key,
 * or keyless its certificate identity and issuer), is not signed or written again.
 */
export async function attachStatement(
  client: RegistryClient,
  repo: Repository,
  subject: Descriptor,
  method: SigningMethod,
  attestation: Attestation,
  created: string,
  log: Logger,
  options: {
    legacy: boolean
    /** The subject's referrers as listed before this run attached any (listed here otherwise). */
    referrers?: readonly Referrer[]
    /** What an existing attestation must verify with to count as this run's (`method.trust()`). */
    trust?: Trust
  } = { legacy: true }
): Promise<Attached> {
  const { predicateType, statement } = attestation
  const parsed: unknown = JSON.parse(statement.toString('utf8'))
  const sameAs =
    attestation.sameAs ??
    ((existing: unknown) => isDeepStrictEqual(existing, parsed))
  const known = options.trust ?? (await method.trust())
  const existing = (
    options.referrers ??
    (await listBundleReferrers(client, repo, subject.digest))
  ).find(
    r =>
      bundleStatement(r.bundle, subject.digest, known)?.predicateType ===
        predicateType && sameAs(statementOf(r.bundle))
  )
  if (existing) {
    const bundle = `${repo}@${existing.descriptor.digest}`
    if (!options.legacy)
      return { predicateType, bundle, legacy: '', written: false }
    // The `.att` form may be missing (an image signed before Imprint wrote it): added once.
    const legacy = await appendLegacySignature(
      client,
      repo,
      subject.digest,
      legacyAttestation(existing.bundle as object, predicateType),
      layer =>
        isSameAttestation(layer, subject.digest, known, predicateType, sameAs),
      'att'
    )
    return {
      predicateType,
      bundle,
      legacy: legacy.reference,
      written: legacy.appended,
      signed: existing.bundle as object
    }
  }
  const signed = await method.statementBundle(statement)
  // The signed bundle itself, before any of it is written: never an attestation too large to read.
  const size = Buffer.byteLength(JSON.stringify(signed))
  if (size > maxAttestationBytes)
    throw new Error(
      `the signed ${predicateType} attestation of ${repo}@${subject.digest} is ${mib(size)}, over the ${mib(maxAttestationBytes)} attestations are read back with; it was not written`
    )
  const attached = await attachBundle(
    client,
    repo,
    subject,
    signed,
    predicateType,
    created
  )
  if (attached.viaFallbackTag) {
    log.debug(
      `${repo.registry} has no referrers API; listed ${predicateType} under the sha256-<hex> fallback tag`
    )
  }
  if (!options.legacy)
    return {
      predicateType,
      bundle: attached.reference,
      legacy: '',
      written: true
    }
  // An `.att` layer of the same attestation may be there without its referrer: not added twice.
  const legacy = await appendLegacySignature(
    client,
    repo,
    subject.digest,
    legacyAttestation(signed, predicateType),
    layer =>
      isSameAttestation(layer, subject.digest, known, predicateType, sameAs),
    'att'
  )
  return {
    predicateType,
    bundle: attached.reference,
    legacy: legacy.reference,
    written: true,
    signed
  }
}

function isSameAttestation(
  layer: { payload: Buffer; layer: Descriptor },
  digest: Descriptor['digest'],
  trust: Trust,
  predicateType: string,
  sameAs: (existing: unknown) => boolean
): boolean {
  const statement = legacyAttestationStatement(layer, digest, trust)
  return (
    statement?.predicateType === predicateType && sameAs(statement.statement)
  )
}
