import { imageDescriptor, topLevel, type Artifact } from '../oci/image'
import type { Repository } from '../oci/reference'
import type { RegistryClient } from '../registry/client'
import { signWithKey, type SignatureRecord } from '../sign/key-signer'
import type { SigningKey } from '../sign/keys'
import type { Logger } from '../util/log'

/**
 * Signs the pushed digest (the index for several platforms, and with `recursive` each platform
 * manifest too) in both cosign formats, verifying what was written.
 */
export async function signArtifact(
  client: RegistryClient,
  repo: Repository,
  artifact: Artifact,
  key: SigningKey,
  options: { recursive: boolean; created: string; log: Logger }
): Promise<SignatureRecord[]> {
  const top = topLevel(artifact)
  const subjects = [
    { mediaType: top.mediaType, digest: top.digest, size: top.bytes.length }
  ]
  if (artifact.kind === 'index' && options.recursive) {
    subjects.push(...artifact.images.map(imageDescriptor))
  }
  const records: SignatureRecord[] = []
  for (const subject of subjects) {
    records.push(
      await signWithKey(
        client,
        repo,
        subject,
        key,
        options.created,
        options.log
      )
    )
  }
  return records
}
