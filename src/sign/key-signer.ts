import { sign as cryptoSign } from 'node:crypto'
import type { Repository } from '../oci/reference'
import type { Descriptor } from '../oci/types'
import type { RegistryClient } from '../registry/client'
import type { Logger } from '../util/log'
import { attachBundle, keyBundle, listBundleReferrers } from './bundle-referrer'
import type { SigningKey } from './keys'
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
  /** False when an equivalent signature by this key was already there (a re-run). */
  written: { legacy: boolean; bundle: boolean }
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
  log: Logger
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

  const existingBundle = (await listBundleReferrers(client, repo, digest)).find(
    r =>
      bundleStatement(r.bundle, digest, key.publicKey)?.predicateType ===
      cosignSignPredicate
  )
  let bundle: { reference: string; written: boolean }
  if (existingBundle) {
    bundle = {
      reference: `${repo}@${existingBundle.descriptor.digest}`,
      written: false
    }
  } else {
    const statement = cosignSignStatement(digest)
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
      cosignSignPredicate,
      created
    )
    bundle = { reference: attached.reference, written: true }
    if (attached.viaFallbackTag) {
      log.info(
        `${repo.registry} has no referrers API; listed the bundle under the sha256-<hex> fallback tag`
      )
    }
  }

  const report = await verifyImageSignatures(
    client,
    repo,
    digest,
    key.publicKey
  )
  if (
    report.legacy.verified === 0 ||
    !report.bundles.predicateTypes.includes(cosignSignPredicate)
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
    written: { legacy: legacy.appended, bundle: bundle.written }
  }
}
