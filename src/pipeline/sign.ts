import type { TrustMaterial } from '@sigstore/verify'
import type { SignInputs, SignMode } from '../inputs'
import type { Digest } from '../oci/digest'
import { imageDescriptor, topLevel, type Artifact } from '../oci/image'
import type { Repository } from '../oci/reference'
import { rfc3339, type Descriptor } from '../oci/types'
import { GitHubApi, GitHubApiError } from '../github/api'
import type { Registries } from '../registry/registries'
import { cycloneDxPredicateType } from '../sbom'
import { checkAttestationSize, type Attestation } from '../sign/attestation'
import { KeylessSigner, keylessConfig } from '../sign/keyless'
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

/**
 * How this run signs: `sign` as the inputs resolved it, except that `auto` does not sign keyless
 * on a private repository (the public Rekor log would record its name and workflow). Said once.
 */
export function signingMode(
  inputs: Pick<SignInputs, 'sign' | 'signAuto'>,
  context: Pick<BuildContext, 'privateRepository'>,
  log?: Logger
): SignMode {
  if (inputs.sign !== 'keyless' || !context.privateRepository)
    return inputs.sign
  if (inputs.signAuto) {
    log?.info(
      'not signed: this repository is private, and keyless signing would write its name and workflow into the public Rekor log; set signing-key, or sign: keyless to accept that'
    )
    return 'none'
  }
  log?.warning(
    'sign: keyless on a private repository: the public Rekor log will show this repository, its workflow and the image digest'
  )
  return 'keyless'
}

/**
 * The sign stage: with a key or keyless, only an image that was pushed, in every repository it
 * went to (verifiers look beside the image they pull): the signature in both cosign formats,
 * signed provenance on the top-level digest, and each platform image's SBOM. An unsigned push says
 * how to sign.
 */
export async function sign(
  artifact: Artifact,
  base: ResolvedBase,
  inputs: SignInputs & { githubToken?: string },
  options: {
    pushed: boolean
    /**
     * Whether this run built the image. One that existed (a re-run after the base moved, a release
     * of a built commit) keeps the provenance of the run that built it: this run's would name
     * another base and no layer sources.
     */
    builtHere: boolean
    repositories: readonly Repository[]
    registries: Registries
    context: BuildContext
    /** Signed SBOM statements, by the digest of the image they describe. */
    sboms?: ReadonlyMap<Digest, Buffer>
    /** Keyless: the instance's trusted root from the inputs, as trust material (`keylessTrustMaterial`). */
    trustedRoot?: TrustMaterial
    env: NodeJS.ProcessEnv
    log: Logger
  }
): Promise<SignatureRecord[]> {
  const { log } = options
  const mode = signingMode(inputs, options.context, log)
  const keyless =
    mode === 'keyless'
      ? keylessConfig(options.env, options.trustedRoot)
      : undefined
  const method: SigningMethod | undefined =
    mode === 'key' && inputs.signingKey
      ? keyMethod(inputs.signingKey)
      : keyless
        ? keylessMethod(new KeylessSigner(keyless))
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
      const hint =
        error instanceof GitHubApiError && error.status === 403
          ? ' (give the job "attestations: write")'
          : ''
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
