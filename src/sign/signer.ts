import { KeyObject, sign as cryptoSign } from 'node:crypto'
import type { Repository } from '../oci/reference'
import type { Descriptor } from '../oci/types'
import type { RegistryClient } from '../registry/client'
import type { Logger } from '../util/log'
import { attachBundle, keyBundle, listBundleReferrers } from './bundle-referrer'
import { certificateIdentity, type KeylessSigner } from './keyless'
import type { SigningKey } from './keys'
import { appendLegacySignature, signatureAnnotation } from './legacy-sig'
import {
  cosignSignPredicate,
  cosignSignStatement,
  inTotoPayloadType,
  pae,
  simpleSigningPayload
} from './payload'
import { slsaProvenancePredicate } from './provenance'
import {
  bundleStatement,
  legacySignatureValid,
  verifyImageSignatures,
  type Trust
} from './verify'

/** How signatures are made and what they verify with: a key, or keyless (Fulcio + Rekor). */
export interface SigningMethod {
  kind: 'key' | 'keyless'
  legacyAnnotations(payload: Buffer): Promise<Record<string, string>>
  statementBundle(statement: Buffer): Promise<object>
  /** What this run's signatures verify with; for keyless known once something was signed. */
  trust(): Trust | undefined
  /**
   * Whether an existing signature of the same content counts as this run's (re-runs add none).
   * Keyless signatures carry a new certificate each time, so none is recognised before signing.
   */
  recognises: boolean
}

export function keyMethod(key: SigningKey): SigningMethod {
  return {
    kind: 'key',
    legacyAnnotations: async payload => ({
      [signatureAnnotation]: cryptoSign(
        'sha256',
        payload,
        key.privateKey
      ).toString('base64')
    }),
    statementBundle: async statement =>
      keyBundle(
        statement,
        inTotoPayloadType,
        cryptoSign('sha256', pae(inTotoPayloadType, statement), key.privateKey),
        key.hint
      ),
    trust: () => key.publicKey,
    recognises: true
  }
}

export function keylessMethod(signer: KeylessSigner): SigningMethod {
  return {
    kind: 'keyless',
    legacyAnnotations: payload => signer.legacyAnnotations(payload),
    statementBundle: statement =>
      signer.statementBundle(statement, inTotoPayloadType),
    trust: () => {
      const identity = signer.certificate
        ? certificateIdentity(signer.certificate)
        : undefined
      return identity ? { identity } : undefined
    },
    recognises: false
  }
}

/** What was written for one signed digest. */
export interface SignatureRecord {
  subject: string
  /** The legacy `.sig`: `REPO:sha256-<hex>.sig@sha256:…`. */
  legacy: string
  /** The bundle referrer: `REPO@sha256:…`. */
  bundle: string
  /** The signed SLSA provenance referrer, when attested: `REPO@sha256:…`. */
  provenance?: string
  /** Keyless: the certificate identity (the workflow) the signatures are bound to. */
  identity?: string
  /** False when an equivalent signature was already there (a re-run with a key). */
  written: { legacy: boolean; bundle: boolean; provenance: boolean }
}

/**
 * Signs `subject` in both formats verifiers read: the legacy `.sig` simple-signing layer (cosign
 * v2, containers/image, policy engines) and a Sigstore bundle v0.3 referrer (cosign v3), plus
 * signed provenance when asked. Everything is read back from the registry and verified before
 * this returns.
 */
export async function signDigest(
  client: RegistryClient,
  repo: Repository,
  subject: Descriptor,
  method: SigningMethod,
  created: string,
  log: Logger,
  attest?: {
    statement: Buffer
    /** Two provenance statements are the same attestation when this part of them is equal. */
    sameAs: (existing: unknown) => boolean
  }
): Promise<SignatureRecord> {
  const digest = subject.digest
  const payload = simpleSigningPayload(repo, digest)
  const known = method.recognises ? method.trust() : undefined
  const legacy = await appendLegacySignature(
    client,
    repo,
    digest,
    { payload, annotations: await method.legacyAnnotations(payload) },
    existing =>
      known !== undefined &&
      existing.payload.equals(payload) &&
      legacySignatureValid(existing, digest, known)
  )
  const bundle = await attachStatement(
    client,
    repo,
    subject,
    method,
    cosignSignStatement(digest),
    cosignSignPredicate,
    created,
    log
  )
  let provenance: { reference: string; written: boolean } | undefined
  if (attest) {
    provenance = await attachStatement(
      client,
      repo,
      subject,
      method,
      attest.statement,
      slsaProvenancePredicate,
      created,
      log,
      attest.sameAs
    )
  }

  const trust = method.trust()
  if (!trust)
    throw new Error(
      `signing ${repo}@${digest} produced no verifiable certificate`
    )
  const report = await verifyImageSignatures(client, repo, digest, trust)
  const wanted = attest
    ? [cosignSignPredicate, slsaProvenancePredicate]
    : [cosignSignPredicate]
  if (
    report.legacy.verified === 0 ||
    wanted.some(type => !report.bundles.predicateTypes.includes(type))
  ) {
    throw new Error(
      `signatures of ${repo}@${digest} did not verify after writing (legacy ${report.legacy.verified}/${report.legacy.total}, bundles ${report.bundles.verified}/${report.bundles.total})`
    )
  }
  log.info(
    `${repo}@${digest}: signed (${method.kind}; ${legacy.appended ? 'new' : 'existing'} .sig, ${bundle.written ? 'new' : 'existing'} bundle); verified ${report.legacy.verified} legacy and ${report.bundles.verified} bundle signatures`
  )
  return {
    subject: `${repo}@${digest}`,
    legacy: legacy.reference,
    bundle: bundle.reference,
    provenance: provenance?.reference,
    ...(trust instanceof KeyObject ? {} : { identity: trust.identity }),
    written: {
      legacy: legacy.appended,
      bundle: bundle.written,
      provenance: provenance?.written ?? false
    }
  }
}

/**
 * Signs an in-toto statement with DSSE and attaches it as a bundle referrer of `subject`, unless
 * (with a key) a bundle of the same predicate type signed by it (and, when given, `sameAs`) is there.
 */
async function attachStatement(
  client: RegistryClient,
  repo: Repository,
  subject: Descriptor,
  method: SigningMethod,
  statement: Buffer,
  predicateType: string,
  created: string,
  log: Logger,
  sameAs: (existing: unknown) => boolean = () => true
): Promise<{ reference: string; written: boolean }> {
  const known = method.recognises ? method.trust() : undefined
  if (known) {
    const existing = (
      await listBundleReferrers(client, repo, subject.digest)
    ).find(
      r =>
        bundleStatement(r.bundle, subject.digest, known)?.predicateType ===
          predicateType && sameAs(statementOf(r.bundle))
    )
    if (existing)
      return {
        reference: `${repo}@${existing.descriptor.digest}`,
        written: false
      }
  }
  const attached = await attachBundle(
    client,
    repo,
    subject,
    await method.statementBundle(statement),
    predicateType,
    created
  )
  if (attached.viaFallbackTag) {
    log.debug(
      `${repo.registry} has no referrers API; listed ${predicateType} under the sha256-<hex> fallback tag`
    )
  }
  return { reference: attached.reference, written: true }
}

function statementOf(bundle: unknown): unknown {
  const payload = (bundle as { dsseEnvelope?: { payload?: string } })
    .dsseEnvelope?.payload
  return payload
    ? JSON.parse(Buffer.from(payload, 'base64').toString('utf8'))
    : undefined
}
