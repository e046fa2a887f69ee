import { imageDescriptor, topLevel, type Artifact } from '../oci/image'
import type { Repository } from '../oci/reference'
import type { RegistryClient } from '../registry/client'
import {
  signDigest,
  type SignatureRecord,
  type SigningMethod
} from '../sign/signer'
import { provenanceStatement } from '../sign/provenance'
import type { Logger } from '../util/log'
import type { ResolvedBase } from './base'

export interface SignOptions {
  recursive: boolean
  /** Attach signed SLSA provenance to the top-level digest. */
  attest: boolean
  created: string
  revision?: string
  base: ResolvedBase
  env: NodeJS.ProcessEnv
  log: Logger
}

function invocationOf(statement: unknown): string | undefined {
  return (
    statement as {
      predicate?: { runDetails?: { metadata?: { invocationId?: string } } }
    }
  )?.predicate?.runDetails?.metadata?.invocationId
}

/**
 * Signs the pushed digest (the index for several platforms, and with `recursive` each platform
 * manifest too) in both cosign formats, attaches signed provenance when asked, and verifies what
 * was written.
 */
export async function signArtifact(
  client: RegistryClient,
  repo: Repository,
  artifact: Artifact,
  method: SigningMethod,
  options: SignOptions
): Promise<SignatureRecord[]> {
  const top = topLevel(artifact)
  const images = artifact.kind === 'image' ? [artifact] : artifact.images
  const layers = new Map<
    string,
    { source: string; destination: string; diffId: typeof top.digest }
  >()
  for (const img of images) {
    for (const layer of img.layers) {
      if (layer.built) layers.set(layer.descriptor.digest, layer.built)
    }
  }
  const statement = provenanceStatement(
    {
      repository: repo,
      digest: top.digest,
      revision: options.revision,
      base: options.base.name
        ? { name: options.base.name, digest: options.base.digest }
        : undefined,
      layers: [...layers.values()]
    },
    options.env
  )
  const invocation = invocationOf(JSON.parse(statement.toString('utf8')))
  const subjects = [
    { mediaType: top.mediaType, digest: top.digest, size: top.bytes.length }
  ]
  if (artifact.kind === 'index' && options.recursive) {
    subjects.push(...artifact.images.map(imageDescriptor))
  }
  const records: SignatureRecord[] = []
  for (const [i, subject] of subjects.entries()) {
    const attest =
      i === 0 && options.attest
        ? {
            statement,
            sameAs: (existing: unknown) => invocationOf(existing) === invocation
          }
        : undefined
    records.push(
      await signDigest(
        client,
        repo,
        subject,
        method,
        options.created,
        options.log,
        attest
      )
    )
  }
  return records
}
