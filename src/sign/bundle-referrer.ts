import { digestHex, sha256, type Digest } from '../oci/digest'
import { bytesBlob } from '../oci/image'
import { MediaType } from '../oci/media-types'
import type { Repository } from '../oci/reference'
import type { Descriptor, ImageIndex, ImageManifest } from '../oci/types'
import type { RegistryClient } from '../registry/client'
import { sizeLimits } from '../registry/http'
import { mapBounded } from '../util/pool'

export const bundleMediaType = 'application/vnd.dev.sigstore.bundle.v0.3+json'
export const emptyConfig = Buffer.from('{}')
const emptyMediaType = 'application/vnd.oci.empty.v1+json'

const referrerAnnotations = {
  content: 'dev.sigstore.bundle.content',
  predicateType: 'dev.sigstore.bundle.predicateType',
  created: 'org.opencontainers.image.created'
} as const

/** A Sigstore bundle v0.3 (proto3 JSON) holding a DSSE envelope signed with a plain key. */
export interface KeyBundle {
  mediaType: typeof bundleMediaType
  verificationMaterial: {
    publicKey: { hint: string }
    timestampVerificationData: Record<string, never>
  }
  dsseEnvelope: {
    payload: string
    payloadType: string
    signatures: { sig: string }[]
  }
}

export function keyBundle(
  payload: Buffer,
  payloadType: string,
  signature: Buffer,
  hint: string
): KeyBundle {
  return {
    mediaType: bundleMediaType,
    verificationMaterial: {
      publicKey: { hint },
      timestampVerificationData: {}
    },
    dsseEnvelope: {
      payload: payload.toString('base64'),
      payloadType,
      signatures: [{ sig: signature.toString('base64') }]
    }
  }
}

/** `sha256:abc…` → `sha256-abc…`: the referrers fallback tag (OCI distribution spec 1.1). */
function referrersFallbackTag(digest: Digest): string {
  return `sha256-${digestHex(digest)}`
}

/** An attached bundle, as a referrer of the subject. */
export interface Referrer {
  descriptor: Descriptor
  manifest: ImageManifest
  bundle: unknown
}

/**
 * Lists the bundle referrers of `subject`: from the referrers API when the registry has it, from
 * the `sha256-<hex>` fallback index otherwise.
 */
export async function listBundleReferrers(
  client: RegistryClient,
  repo: Repository,
  subject: Digest
): Promise<Referrer[]> {
  const index =
    (await client.referrers(repo, subject)) ??
    (await client
      .findManifest(repo, referrersFallbackTag(subject))
      .then(found =>
        found
          ? (JSON.parse(found.bytes.toString('utf8')) as ImageIndex)
          : undefined
      ))
  const candidates = (index?.manifests ?? []).filter(descriptor =>
    descriptor.artifactType?.startsWith('application/vnd.dev.sigstore.bundle')
  )
  // A few at a time: each is two round trips, and an image collects several per run.
  const found = await mapBounded(candidates, 4, async descriptor => {
    // Someone else's odd or deleted referrer must not stop us from finding ours.
    try {
      const found = await client.getManifest(repo, descriptor.digest)
      const manifest = JSON.parse(found.bytes.toString('utf8')) as ImageManifest
      if (manifest.layers?.length !== 1) return undefined
      const bytes = await client.getBlobBytes(
        repo,
        manifest.layers[0].digest,
        sizeLimits.attestation
      )
      return {
        descriptor,
        manifest,
        bundle: JSON.parse(bytes.toString('utf8')) as unknown
      }
    } catch {
      return undefined
    }
  })
  const referrers = found.filter((r): r is Referrer => r !== undefined)
  return referrers
}

/**
 * Attaches a bundle to `subject` as an OCI 1.1 referrer: bundle and empty-config blobs, the
 * referrer manifest by digest, then, when the registry did not index the subject itself, an entry
 * in the `sha256-<hex>` fallback index carrying the artifactType and annotations.
 */
export async function attachBundle(
  client: RegistryClient,
  repo: Repository,
  subject: Descriptor,
  bundle: KeyBundle | object,
  predicateType: string,
  created: string
): Promise<{ digest: Digest; reference: string; viaFallbackTag: boolean }> {
  const bundleBlob = bytesBlob(
    bundleMediaType,
    Buffer.from(JSON.stringify(bundle))
  )
  const configBlob = bytesBlob(emptyMediaType, emptyConfig)
  for (const blob of [bundleBlob, configBlob]) {
    await client.pushBlob(repo, blob.descriptor.digest, {
      size: blob.descriptor.size,
      open: offset => blob.open(offset)
    })
  }
  const annotations = {
    [referrerAnnotations.content]: 'dsse-envelope',
    [referrerAnnotations.predicateType]: predicateType,
    [referrerAnnotations.created]: created
  }
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    artifactType: bundleMediaType,
    config: configBlob.descriptor,
    layers: [bundleBlob.descriptor],
    subject: {
      mediaType: subject.mediaType,
      size: subject.size,
      digest: subject.digest
    },
    annotations
  }
  const bytes = Buffer.from(JSON.stringify(manifest))
  const digest = sha256(bytes)
  // Readers decide by the referrers API (GET), so writers decide the same way, not by the
  // OCI-Subject header (ECR sends it without offering the API).
  const hasApi = (await client.referrers(repo, subject.digest)) !== undefined
  await client.putManifest(repo, digest, bytes, MediaType.ociManifest)
  const reference = `${repo}@${digest}`
  if (hasApi) return { digest, reference, viaFallbackTag: false }

  // Read, add, write, read back: a concurrent signer's write may have replaced ours.
  const tag = referrersFallbackTag(subject.digest)
  const entry: Descriptor = {
    mediaType: MediaType.ociManifest,
    size: bytes.length,
    digest,
    artifactType: bundleMediaType,
    annotations
  }
  for (let attempt = 1; ; attempt++) {
    const existing = await client.findManifest(repo, tag)
    const index: ImageIndex = existing
      ? (JSON.parse(existing.bytes.toString('utf8')) as ImageIndex)
      : { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] }
    if (index.manifests.some(d => d.digest === digest)) break
    if (attempt > 5) {
      throw new Error(
        `${repo}:${tag} kept changing; the bundle ${digest} is not listed in it`
      )
    }
    // Our entry vanished after a write: another signer wrote at the same time; back off a little.
    if (attempt > 1)
      await new Promise(resolve =>
        setTimeout(resolve, 50 + Math.random() * 200)
      )
    index.manifests.push(entry)
    index.manifests.sort((a, b) =>
      a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0
    )
    await client.putManifest(
      repo,
      tag,
      Buffer.from(JSON.stringify(index)),
      MediaType.ociIndex
    )
  }
  return { digest, reference, viaFallbackTag: true }
}
