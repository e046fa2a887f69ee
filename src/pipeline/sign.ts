import type { SignInputs } from '../inputs'
import { imageDescriptor, topLevel, type Artifact } from '../oci/image'
import type { Repository } from '../oci/reference'
import { rfc3339 } from '../oci/types'
import type { RegistryClient } from '../registry/client'
import { KeylessSigner, keylessConfig } from '../sign/keyless'
import { provenanceStatement } from '../sign/provenance'
import {
  keyMethod,
  keylessMethod,
  signDigest,
  type SignatureRecord,
  type SigningMethod
} from '../sign/signer'
import type { Logger } from '../util/log'
import type { ResolvedBase } from './base'
import type { BuildContext } from './context'

/**
 * The sign stage: with a key or keyless (as `sign` resolved), only an image that was pushed; an
 * unsigned push says how to sign.
 */
export async function sign(
  artifact: Artifact,
  base: ResolvedBase,
  inputs: SignInputs,
  options: {
    pushed: boolean
    repository: Repository
    client: RegistryClient
    context: BuildContext
    env: NodeJS.ProcessEnv
    log: Logger
  }
): Promise<SignatureRecord[]> {
  const { log } = options
  let mode = inputs.sign
  if (mode === 'keyless' && options.context.privateRepository) {
    // The public Rekor log would record the repository's and the workflow's names for anyone.
    if (inputs.signAuto) {
      log.info(
        'not signed: this repository is private, and keyless signing would write its name and workflow into the public Rekor log; set signing-key, or sign: keyless to accept that'
      )
      mode = 'none'
    } else {
      log.warning(
        'sign: keyless on a private repository: the public Rekor log will show this repository, its workflow and the image digest'
      )
    }
  }
  const method =
    mode === 'key' && inputs.signingKey
      ? keyMethod(inputs.signingKey)
      : mode === 'keyless'
        ? keylessMethod(new KeylessSigner(keylessConfig(options.env)))
        : undefined
  if (!options.pushed) {
    if (method) log.warning('nothing was pushed, so nothing was signed')
    return []
  }
  if (!method) {
    if (inputs.sign === 'none')
      log.info(
        'not signed: set signing-key, or give the job "id-token: write" for keyless signing'
      )
    return []
  }
  return log.group('Sign', async () => {
    log.info(
      `signing ${method.kind === 'key' ? 'with the signing-key' : 'keyless (Fulcio certificate for this workflow, Rekor entry)'}`
    )
    return signArtifact(options.client, options.repository, artifact, method, {
      recursive: inputs.signRecursive,
      attest: inputs.attest,
      created: rfc3339(options.context.sourceDateEpoch),
      revision: options.context.sha,
      base,
      env: options.env,
      log
    })
  })
}

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
async function signArtifact(
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
