import { digestHex, sha256, type Digest } from '../oci/digest'
import { bytesBlob } from '../oci/image'
import { MediaType } from '../oci/media-types'
import type { Repository } from '../oci/reference'
import type { Descriptor, ImageManifest } from '../oci/types'
import type { RegistryClient } from '../registry/client'
import { sizeLimits } from '../registry/http'
import { mapBounded } from '../util/pool'

const simpleSigningMediaType =
  'application/vnd.dev.cosign.simplesigning.v1+json'
/** cosign's legacy attestation layer: a whole DSSE envelope. */
export const dsseEnvelopeMediaType = 'application/vnd.dsse.envelope.v1+json'
export const signatureAnnotation = 'dev.cosignproject.cosign/signature'
/** The `.att` layer annotation that names the statement's predicate type. */
export const predicateTypeAnnotation = 'predicateType'

/**
 * The two kinds of cosign v2 tag beside an image: `.sig` holds simple-signing payloads with their
 * signatures in annotations, `.att` holds signed DSSE envelopes (attestations).
 */
export type LegacyKind = 'sig' | 'att'

const layerTypes: Record<LegacyKind, string> = {
  sig: simpleSigningMediaType,
  att: dsseEnvelopeMediaType
}

/** `sha256:abc…` → `sha256-abc….sig` (or `.att`): where cosign v2 and containers/image look. */
export function legacyTag(digest: Digest, kind: LegacyKind = 'sig'): string {
  return `sha256-${digestHex(digest)}.${kind}`
}

/**
 * go-containerregistry's `empty.Image` config with one history and diff_id entry per layer, in
 * its field order: what cosign writes (233 bytes for one layer).
 */
function signatureConfig(layers: readonly Descriptor[]): Buffer {
  const history = layers
    .map(() => '{"created":"0001-01-01T00:00:00Z"}')
    .join(',')
  const diffIds = layers.map(l => JSON.stringify(l.digest)).join(',')
  return Buffer.from(
    `{"architecture":"","created":"0001-01-01T00:00:00Z","history":[${history}],"os":"","rootfs":{"type":"layers","diff_ids":[${diffIds}]},"config":{}}`
  )
}

export interface LegacySignature {
  payload: Buffer
  annotations: Record<string, string>
}

/** A signature layer already on the tag, with the payload it signs. */
export interface ExistingSignature {
  layer: Descriptor
  payload: Buffer
}

/** Reads the layers (and payloads) under the `.sig` (or `.att`) tag of `digest`. */
export async function readLegacySignatures(
  client: RegistryClient,
  repo: Repository,
  digest: Digest,
  kind: LegacyKind = 'sig'
): Promise<{ manifest?: ImageManifest; signatures: ExistingSignature[] }> {
  const found = await client.findManifest(repo, legacyTag(digest, kind))
  if (!found) return { signatures: [] }
  const manifest = JSON.parse(found.bytes.toString('utf8')) as ImageManifest
  const signatures = await mapBounded(
    manifest.layers.filter(layer => layer.mediaType === layerTypes[kind]),
    4,
    async layer => ({
      layer,
      // An attestation (an SBOM of thousands of packages) is larger than a signature payload.
      payload: await client.getBlobBytes(
        repo,
        layer.digest,
        kind === 'att' ? sizeLimits.attestation : sizeLimits.smallBlob
      )
    })
  )
  return { manifest, signatures }
}

/**
 * Appends one layer to the `.sig` (or `.att`) manifest of `digest` (read, append, write, as cosign
 * does). `isDuplicate` lets the caller skip the write when an equivalent one is there; a
 * `signature` given as a function is only made when it is written.
 */
export async function appendLegacySignature(
  client: RegistryClient,
  repo: Repository,
  digest: Digest,
  signature: LegacySignature | (() => Promise<LegacySignature>),
  isDuplicate: (existing: ExistingSignature) => boolean,
  kind: LegacyKind = 'sig'
): Promise<{ reference: string; manifestDigest: Digest; appended: boolean }> {
  const tag = legacyTag(digest, kind)
  const existing = async () => {
    const current = await client.getManifest(repo, tag)
    return {
      reference: `${repo}:${tag}@${current.digest}`,
      manifestDigest: current.digest,
      appended: false
    }
  }
  let { manifest, signatures } = await readLegacySignatures(
    client,
    repo,
    digest,
    kind
  )
  if (manifest && signatures.some(isDuplicate)) return existing()
  let made: LegacySignature
  if (typeof signature === 'function') {
    made = await signature()
    // Signing took a while (keyless: Fulcio and Rekor): append to the tag as it is now.
    ;({ manifest, signatures } = await readLegacySignatures(
      client,
      repo,
      digest,
      kind
    ))
    if (manifest && signatures.some(isDuplicate)) return existing()
  } else {
    made = signature
  }
  const payloadBlob = bytesBlob(layerTypes[kind], made.payload)
  const layer: Descriptor = {
    ...payloadBlob.descriptor,
    annotations: made.annotations
  }
  const layers = [...(manifest?.layers ?? []), layer]
  const configBlob = bytesBlob(MediaType.ociConfig, signatureConfig(layers))
  for (const blob of [payloadBlob, configBlob]) {
    await client.pushBlob(repo, blob.descriptor.digest, {
      size: blob.descriptor.size,
      open: offset => blob.open(offset)
    })
  }
  const next: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: configBlob.descriptor,
    layers
  }
  const bytes = Buffer.from(JSON.stringify(next))
  await client.putManifest(repo, tag, bytes, MediaType.ociManifest)
  const manifestDigest = sha256(bytes)
  return {
    reference: `${repo}:${tag}@${manifestDigest}`,
    manifestDigest,
    appended: true
  }
}
