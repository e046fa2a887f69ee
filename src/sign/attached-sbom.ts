import type { Repository } from '../oci/reference'
import type { Descriptor } from '../oci/types'
import type { RegistryClient } from '../registry/client'
import { sizeLimits } from '../registry/http'
import { bundleMediaType, listBundleReferrers } from './bundle-referrer'
import {
  dsseEnvelopeMediaType,
  legacyTag,
  predicateTypeAnnotation
} from './legacy-sig'
import { inTotoPayloadType } from './payload'

/** Predicate types of SBOM attestations (cosign's spdxjson and cyclonedx, and versioned SPDX). */
const sbomPredicate = /^https:\/\/(spdx\.dev\/Document|cyclonedx\.org\/bom)/

/**
 * The predicate type of the SBOM statement a DSSE envelope carries about `digest`: an in-toto
 * statement (payload type and `_type`), an SBOM predicate type, `digest` among its subjects.
 * Undefined for anything else. Nothing here says who signed it.
 */
function sbomStatementAbout(
  envelope: unknown,
  digest: Descriptor['digest']
): string | undefined {
  const e = envelope as { payloadType?: unknown; payload?: unknown } | null
  if (e?.payloadType !== inTotoPayloadType || typeof e.payload !== 'string')
    return undefined
  let statement: {
    _type?: unknown
    predicateType?: unknown
    subject?: unknown
  } | null
  try {
    statement = JSON.parse(Buffer.from(e.payload, 'base64').toString('utf8'))
  } catch {
    return undefined
  }
  const hex = digest.slice('sha256:'.length)
  const about =
    Array.isArray(statement?.subject) &&
    statement.subject.some(
      (s: { digest?: { sha256?: unknown } } | null) => s?.digest?.sha256 === hex
    )
  return typeof statement?._type === 'string' &&
    statement._type.startsWith('https://in-toto.io/Statement/') &&
    typeof statement.predicateType === 'string' &&
    sbomPredicate.test(statement.predicateType) &&
    about
    ? statement.predicateType
    : undefined
}

/**
 * An SBOM attestation the image already carries (a base image's, Chainguard's for one): a bundle
 * referrer, or a layer of its `.att` tag, whose DSSE envelope holds an in-toto SBOM statement
 * about `digest` (an annotation naming an SBOM type is not enough). Referenced by the digest of
 * the manifest that holds it; its signature is the base publisher's to verify, so it is extra
 * information, never a replacement for reading the base's layers.
 */
export async function findAttachedSbom(
  client: RegistryClient,
  repo: Repository,
  digest: Descriptor['digest']
): Promise<{ url: string; sha256: string; predicateType: string } | undefined> {
  for (const referrer of await listBundleReferrers(client, repo, digest)) {
    if (referrer.manifest.layers[0]?.mediaType !== bundleMediaType) continue
    const predicateType = sbomStatementAbout(
      (referrer.bundle as { dsseEnvelope?: unknown } | null)?.dsseEnvelope,
      digest
    )
    if (predicateType)
      return {
        url: `oci://${repo}@${referrer.descriptor.digest}`,
        sha256: referrer.descriptor.digest.slice('sha256:'.length),
        predicateType
      }
  }
  const found = await client.findManifest(repo, legacyTag(digest, 'att'))
  if (!found) return undefined
  const manifest = JSON.parse(found.bytes.toString('utf8')) as {
    layers?: Descriptor[]
  }
  for (const layer of manifest.layers ?? []) {
    if (
      layer.mediaType !== dsseEnvelopeMediaType ||
      !sbomPredicate.test(layer.annotations?.[predicateTypeAnnotation] ?? '')
    )
      continue
    const bytes = await client.getBlobBytes(
      repo,
      layer.digest,
      sizeLimits.attestation
    )
    let envelope: unknown
    try {
      envelope = JSON.parse(bytes.toString('utf8'))
    } catch {
      continue
    }
    const predicateType = sbomStatementAbout(envelope, digest)
    if (predicateType)
      return {
        url: `oci://${repo}@${found.digest}`,
        sha256: found.digest.slice('sha256:'.length),
        predicateType
      }
  }
  return undefined
}
