import { KeyObject, sign as cryptoSign } from 'node:crypto'
import type { Repository } from '../oci/reference'
import type { Descriptor } from '../oci/types'
import type { RegistryClient } from '../registry/client'
import type { Logger } from '../util/log'
import { attachStatement, type Attached, type Attestation } from './attestation'
import { keyBundle, listBundleReferrers } from './bundle-referrer'
import type { KeylessSigner } from './keyless'
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
  legacySignatureValid,
  verifyImageSignatures,
  type Trust
} from './verify'

/** How signatures are made and what they verify with: a key, or keyless (Fulcio + Rekor). */
export interface SigningMethod {
  kind: 'key' | 'keyless'
  legacyAnnotations(payload: Buffer): Promise<Record<string, string>>
  statementBundle(statement: Buffer): Promise<object>
  /**
   * What this run's signatures verify with, and what an existing signature must verify with to
   * count as this run's own (a re-run then adds none): the key; keyless, this run's certificate
   * identity and OIDC issuer (Fulcio is asked for the run's certificate first), vouched for by the
   * certificates Fulcio issued to this run or by the instance's trusted root.
   */
  trust(): Promise<Trust>
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
    trust: async () => key.publicKey
  }
}

export function keylessMethod(signer: KeylessSigner): SigningMethod {
  return {
    kind: 'keyless',
    legacyAnnotations: payload => signer.legacyAnnotations(payload),
    statementBundle: statement =>
      signer.statementBundle(statement, inTotoPayloadType),
    trust: async () => {
      const { identity, issuer } = await signer.certificate()
      return {
        identity,
        issuer,
        trustedRoot: signer.trustedRoot,
        // The live list: a certificate renewed while signing counts too.
        issued: signer.issued
      }
    }
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
  /** Every attestation attached (provenance, SBOM): referrer and `.att` tag. */
  attestations: Attached[]
  /** Keyless: the certificate identity (the workflow) the signatures are bound to. */
  identity?: string
  /** False when an equivalent signature of this key or identity was already there (a re-run). */
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
  attestations: readonly Attestation[] = []
): Promise<SignatureRecord> {
  const digest = subject.digest
  const payload = simpleSigningPayload(repo, digest)
  const trust = await method.trust()
  const legacy = await appendLegacySignature(
    client,
    repo,
    digest,
    async () => ({
      payload,
      annotations: await method.legacyAnnotations(payload)
    }),
    existing =>
      existing.payload.equals(payload) &&
      legacySignatureValid(existing, digest, trust)
  )
  // What is already attached, listed once: a re-run finds its statements there.
  const referrers = await listBundleReferrers(client, repo, digest)
  // The signature as cosign v3 reads it: a bundle of the cosign "sign" statement (no `.att`).
  const bundle = await attachStatement(
    client,
    repo,
    subject,
    method,
    {
      statement: cosignSignStatement(digest),
      predicateType: cosignSignPredicate
    },
    created,
    log,
    { legacy: false, referrers, trust }
  )
  const attached: Attached[] = []
  for (const attestation of attestations)
    attached.push(
      await attachStatement(
        client,
        repo,
        subject,
        method,
        attestation,
        created,
        log,
        { legacy: true, referrers, trust }
      )
    )

  const report = await verifyImageSignatures(client, repo, digest, trust)
  const wanted = [
    cosignSignPredicate,
    ...attestations.map(a => a.predicateType)
  ]
  const inAtt = attestations.map(a => a.predicateType)
  if (
    report.legacy.verified === 0 ||
    wanted.some(type => !report.bundles.predicateTypes.includes(type)) ||
    inAtt.some(type => !report.attestations.predicateTypes.includes(type))
  ) {
    throw new Error(
      `signatures of ${repo}@${digest} did not verify after writing (legacy ${report.legacy.verified}/${report.legacy.total}, bundles ${report.bundles.verified}/${report.bundles.total}, attestations ${report.attestations.verified}/${report.attestations.total})`
    )
  }
  log.info(
    `${repo}@${digest}: signed (${method.kind}; ${legacy.appended ? 'new' : 'existing'} .sig, ${bundle.written ? 'new' : 'existing'} bundle${attached.length ? `, ${attached.map(a => `${shortType(a.predicateType)} ${a.written ? 'new' : 'existing'}`).join(', ')}` : ''}); verified ${report.legacy.verified} legacy, ${report.bundles.verified} bundle and ${report.attestations.verified} .att signatures`
  )
  const provenance = attached.find(
    a => a.predicateType === slsaProvenancePredicate
  )
  return {
    subject: `${repo}@${digest}`,
    legacy: legacy.reference,
    bundle: bundle.bundle,
    provenance: provenance?.bundle,
    attestations: attached,
    ...(trust instanceof KeyObject ? {} : { identity: trust.identity }),
    written: {
      legacy: legacy.appended,
      bundle: bundle.written,
      provenance: provenance?.written ?? false
    }
  }
}

/** `https://slsa.dev/provenance/v1` → `provenance`, `https://cyclonedx.org/bom` → `SBOM`. */
function shortType(predicateType: string): string {
  if (predicateType === slsaProvenancePredicate) return 'provenance'
  if (/cyclonedx|spdx/.test(predicateType)) return 'SBOM'
  return predicateType
}
