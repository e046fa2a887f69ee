import type { TrustMaterial } from '@sigstore/verify'
import type { SignInputs, SignMode } from '../inputs'
import type { Digest } from '../oci/digest'
import type { Artifact } from '../oci/image'
import type { Repository } from '../oci/reference'
import type { Registries } from '../registry/registries'
import type { SignatureRecord } from '../sign/signer'
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

/** What the sign stage is given besides the image and the inputs. */
export interface SignOptions {
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
  options: SignOptions
): Promise<SignatureRecord[]> {
  const { log } = options
  const mode = signingMode(inputs, options.context, log)
  const signer =
    mode === 'keyless'
      ? 'keyless'
      : mode === 'key'
        ? inputs.signingKey
        : undefined
  if (!options.pushed) {
    if (signer) log.warning('nothing was pushed, so nothing was signed')
    return []
  }
  if (!signer) {
    if (inputs.sign === 'none')
      log.info(
        'not signed: set signing-key, or give the job "id-token: write" for keyless signing'
      )
    return []
  }
  // What writes signatures (their formats, sigstore-js) is loaded only by a run that signs.
  const { writeSignatures } = await import('./signatures')
  return writeSignatures(artifact, base, inputs, signer, options)
}
