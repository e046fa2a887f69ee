import { digestHex, type Digest } from '../oci/digest'
import type { Repository } from '../oci/reference'

export const simpleSigningType = 'cosign container image signature'
export const inTotoPayloadType = 'application/vnd.in-toto+json'
export const cosignSignPredicate = 'https://sigstore.dev/cosign/sign/v1'

/** The repository as cosign names it in payloads (go-containerregistry's `Repository.Name()`). */
function cosignRepositoryName(repository: Repository): string {
  return repository.registry.name === 'docker.io'
    ? `index.docker.io/${repository.path}`
    : repository.toString()
}

/**
 * The "simple signing" payload cosign signs for the legacy `.sig` format, byte for byte: Go's
 * struct order, no whitespace, `optional` always present (containers/image rejects it missing).
 */
export function simpleSigningPayload(
  repository: Repository,
  digest: Digest
): Buffer {
  const reference = JSON.stringify(cosignRepositoryName(repository))
  return Buffer.from(
    `{"critical":{"identity":{"docker-reference":${reference}},"image":{"docker-manifest-digest":${JSON.stringify(digest)}},"type":${JSON.stringify(simpleSigningType)}},"optional":null}`,
    'utf8'
  )
}

/** The in-toto statement cosign v3 signs: subject without a name, empty predicate. */
export function cosignSignStatement(digest: Digest): Buffer {
  return Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ digest: { sha256: digestHex(digest) } }],
      predicateType: cosignSignPredicate,
      predicate: {}
    }),
    'utf8'
  )
}

/** DSSE pre-authentication encoding: what a DSSE signature actually covers. */
export function pae(payloadType: string, body: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(
      `DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${body.length} `,
      'utf8'
    ),
    body
  ])
}
