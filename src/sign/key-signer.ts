import { sign as cryptoSign } from 'node:crypto'
import type { Repository } from '../oci/reference'
import type { Descriptor } from '../oci/types'
import type { RegistryClient } from '../registry/client'
import type { Logger } from '../util/log'
import { attachBundle, keyBundle, listBundleReferrers } from './bundle-referrer'
import type { SigningKey } from './keys'
import { slsaProvenancePredicate } from './provenance'
import { appendLegacySignature, signatureAnnotation } from './legacy-sig'
import {
  cosignSignPredicate,
  cosignSignStatement,
  inTotoPayloadType,
  pae,
  simpleSigningPayload
} from './payload'
import {
  bundleStatement,
  legacySignatureValid,
  verifyImageSignatures
} from './verify'

/** What was written for one signed digest. */
export interface SignatureRecord {
  subject: string
  /** The legacy `.sig`: `REPO:sha256-<hex>.sig@sha256:…`. */
  legacy: string
  /** The bundle referrer: `REPO@sha256:…`. */
  bundle: string
  /** The signed SLSA provenance referrer, when attested: `REPO@sha256:…`. */
  provenance?: string
  /** False when an equivalent signature by this key was already there (a re-run). */
  written: { legacy: boolean; bundle: boolean; provenance: boolean }
}

/**
 * Signs `subject` with `key` in both formats verifiers read: the legacy `.sig` simple-signing layer
 * (cosign v2, containers/image, policy engines) and a Sigstore bundle v0.3 referrer (cosign v3).
 * A signature by the same key over the same content is not written twice. Both are read back
 * from the registry and verified before this returns.
 */
export async function signWithKey(
  client: RegistryClient,
  repo: Repository,
  subject: Descriptor,
  key: SigningKey,
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
  const legacy = await appendLegacySignature(
    client,
    repo,
    digest,
    {
      payload,
      annotations: {
        [signatureAnnotation]: cryptoSign(
          'sha256',
          payload,
          key.privateKey
        ).toString('base64')
      }
    },
    existing =>
      existing.payload.equals(payload) &&
      legacySignatureValid(existing, digest, key.publicKey)
  )

  const bundle = await attachStatement(
    client,
    repo,
    subject,
    key,
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
      key,
      attest.statement,
      slsaProvenancePredicate,
      created,
      log,
      attest.sameAs
    )
  }

  const report = await verifyImageSignatures(
    client,
    repo,
    digest,
    key.publicKey
  )
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
    `${repo}@${digest}: signed (${legacy.appended ? 'new' : 'existing'} .sig, ${bundle.written ? 'new' : 'existing'} bundle); verified ${report.legacy.verified} legacy and ${report.bundles.verified} bundle signatures`
  )
  return {
    subject: `${repo}@${digest}`,
    legacy: legacy.reference,
    bundle: bundle.reference,
    provenance: provenance?.reference,
    written: {
      legacy: legacy.appended,
      bundle: bundle.written,
      provenance: provenance?.written ?? false
    }
  }
}

/**
 * Signs an in-toto statement with DSSE and attaches it as a bundle referrer of `subject`, unless
 * a bundle of the same predicate type signed by this key (and, when given, `sameAs`) is there.
 */
async function attachStatement(
  client: RegistryClient,
  repo: Repository,
  subject: Descriptor,
  key: SigningKey,
  statement: Buffer,
  predicateType: string,
  created: string,
  log: Logger,
  sameAs: (existing: unknown) => boolean = () => true
): Promise<{ reference: string; written: boolean }> {
  const existing = (
    await listBundleReferrers(client, repo, subject.digest)
  ).find(
    r =>
      bundleStatement(r.bundle, subject.digest, key.publicKey)
        ?.predicateType === predicateType && sameAs(statementOf(r.bundle))
  )
  if (existing)
    return {
      reference: `${repo}@${existing.descriptor.digest}`,
      written: false
    }
  const signature = cryptoSign(
    'sha256',
    pae(inTotoPayloadType, statement),
    key.privateKey
  )
  const attached = await attachBundle(
    client,
    repo,
    subject,
    keyBundle(statement, inTotoPayloadType, signature, key.hint),
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
