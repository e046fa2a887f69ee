import type { SignInputs } from '../inputs'
import type { Digest } from '../oci/digest'
import { imageDescriptor, topLevel, type Artifact } from '../oci/image'
import type { Repository } from '../oci/reference'
import { rfc3339, type Descriptor } from '../oci/types'
import { GitHubApi, refusedHint } from '../github/api'
import type { Registries } from '../registry/registries'
import { cycloneDxPredicateType } from '../sbom'
import { checkAttestationSize, type Attestation } from '../sign/attestation'
import type { KeylessConfig } from '../sign/keyless'
import type { SigningKey } from '../sign/keys'
import {
  provenanceStatement,
  slsaProvenancePredicate
} from '../sign/provenance'
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
import type { SignOptions } from './sign'

/**
 * The sign stage's work, loaded once `sign` has decided to sign: in every repository the image
 * went to, its signature in both cosign formats, signed provenance on the top-level digest and
 * each platform image's SBOM; keyless attestations also go to GitHub's attestation store.
 */
export async function writeSignatures(
  artifact: Artifact,
  base: ResolvedBase,
  inputs: SignInputs & { githubToken?: string },
  signer: SigningKey | 'keyless',
  options: SignOptions
): Promise<SignatureRecord[]> {
  const { log } = options
  let keyless: KeylessConfig | undefined
  let method: SigningMethod
  if (signer === 'keyless') {
    // Fulcio, Rekor and their HTTP stack, the largest part of sigstore-js: keyless runs only.
    const { KeylessSigner, keylessConfig } = await import('../sign/keyless')
    keyless = keylessConfig(options.env, options.trustedRoot)
    method = keylessMethod(new KeylessSigner(keyless))
  } else {
    method = keyMethod(signer)
  }
  // An SBOM too large to be read back fails here, before any signature is written anywhere.
  for (const [digest, statement] of options.sboms ?? []) {
    try {
      checkAttestationSize(statement, `the SBOM of ${digest}`)
    } catch (error) {
      throw new Error(
        `${(error as Error).message} (sbom: false signs the image without it)`
      )
    }
  }
  return log.group('Sign', async () => {
    log.info(
      `signing ${method.kind === 'key' ? 'with the signing-key' : 'keyless (Fulcio certificate for this workflow, Rekor entry)'}`
    )
    const attest = inputs.attest && options.builtHere
    if (inputs.attest && !attest)
      log.info(
        'provenance: the existing image keeps the one of the run that built it; no new provenance is attached'
      )
    if (keyless && !keyless.trustedRoot)
      log.info(
        `no trusted root for ${keyless.fulcioURL}: what an earlier run signed cannot be told from a forgery, so a re-run signs again; set $SIGSTORE_TRUSTED_ROOT to its trusted_root.json`
      )
    const records: SignatureRecord[] = []
    for (const repository of options.repositories)
      records.push(
        ...(await signArtifact(repository, artifact, method, {
          ...options,
          recursive: inputs.signRecursive,
          attest,
          created: rfc3339(options.context.sourceDateEpoch),
          revision: options.context.sha,
          base
        }))
      )
    if (method.kind === 'keyless')
      await storeOnGitHub(records, inputs.githubToken, options.context, log)
    // The bundles went where they belong; the result keeps references, not their bytes.
    return records.map(record => ({
      ...record,
      attestations: record.attestations.map(({ signed: _, ...rest }) => rest)
    }))
  })
}

/**
 * Keyless attestations also go to the repository's attestation store, as actions/attest puts
 * them, so `gh attestation verify oci://IMAGE@DIGEST --owner OWNER` finds them. It needs
 * `attestations: write`; without it (or GitHub's API failing) the run only warns.
 */
async function storeOnGitHub(
  records: readonly SignatureRecord[],
  token: string | undefined,
  context: BuildContext,
  log: Logger
): Promise<void> {
  const [owner, repo] = (context.repository ?? '').split('/')
  if (!owner || !repo || !token) return
  const api = new GitHubApi(token, context.apiUrl)
  const seen = new Set<string>()
  for (const attestation of records.flatMap(r => r.attestations)) {
    // What an earlier run (a re-run) attached was stored then; only this run's bundles go up.
    if (!attestation.signed || !attestation.written) continue
    if (seen.has(attestation.bundle)) continue
    seen.add(attestation.bundle)
    try {
      const { id } = await api.createAttestation(
        owner,
        repo,
        attestation.signed
      )
      log.info(
        `${attestation.predicateType}: stored in GitHub's attestations (${id})`
      )
    } catch (error) {
      const hint = refusedHint(error, 'give the job "attestations: write"')
      log.warning(
        `attestation not stored on GitHub: ${(error as Error).message}${hint}`
      )
      return
    }
  }
}

function invocationOf(statement: unknown): string | undefined {
  return (
    statement as {
      predicate?: { runDetails?: { metadata?: { invocationId?: string } } }
    }
  )?.predicate?.runDetails?.metadata?.invocationId
}

/**
 * What to sign in one repository: the pushed digest (the index for several platforms) with its
 * provenance; each platform manifest too with `recursive`, or to carry its SBOM.
 */
async function signArtifact(
  repo: Repository,
  artifact: Artifact,
  method: SigningMethod,
  options: {
    registries: Registries
    recursive: boolean
    attest: boolean
    sboms?: ReadonlyMap<Digest, Buffer>
    created: string
    revision?: string
    base: ResolvedBase
    env: NodeJS.ProcessEnv
    log: Logger
  }
): Promise<SignatureRecord[]> {
  const top = topLevel(artifact)
  const images = artifact.kind === 'image' ? [artifact] : artifact.images
  const layers = new Map<
    string,
    { source: string; destination: string; diffId: Digest }
  >()
  for (const img of images)
    for (const layer of img.layers)
      if (layer.built) layers.set(layer.descriptor.digest, layer.built)
  const provenance = provenanceStatement(
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
  const invocation = invocationOf(JSON.parse(provenance.toString('utf8')))
  const sbomFor = (digest: Digest): Attestation[] => {
    const statement = options.sboms?.get(digest)
    return statement
      ? [{ statement, predicateType: cycloneDxPredicateType }]
      : []
  }
  const subjects: { subject: Descriptor; attestations: Attestation[] }[] = [
    {
      subject: {
        mediaType: top.mediaType,
        digest: top.digest,
        size: top.bytes.length
      },
      attestations: [
        ...(options.attest
          ? [
              {
                statement: provenance,
                predicateType: slsaProvenancePredicate,
                sameAs: (existing: unknown) =>
                  invocationOf(existing) === invocation
              }
            ]
          : []),
        ...(artifact.kind === 'image' ? sbomFor(artifact.digest) : [])
      ]
    }
  ]
  if (artifact.kind === 'index') {
    for (const image of artifact.images) {
      const attestations = sbomFor(image.digest)
      if (options.recursive || attestations.length)
        subjects.push({ subject: imageDescriptor(image), attestations })
    }
  }
  const client = options.registries.client(repo.registry)
  const records: SignatureRecord[] = []
  for (const { subject, attestations } of subjects)
    records.push(
      await signDigest(
        client,
        repo,
        subject,
        method,
        options.created,
        options.log,
        attestations
      )
    )
  return records
}
