import type { TrustMaterial } from '@sigstore/verify'
import { InputError, messageOf } from '../errors'
import { KeyError, loadSigningKey, type SigningKey } from '../sign/keys'
import { hasIdentityToken } from '../sign/oidc'
import {
  readTrustedRootFile,
  type TrustedRootFile
} from '../sign/trusted-root-file'
import { parseBoolean, type InputReader } from './fields'

export type SignMode = 'key' | 'keyless' | 'none'

/** Whether and how the pushed image is signed and attested. */
export interface SignInputs {
  /** Resolved from `sign` (`auto` included) when the inputs are read. */
  sign: SignMode
  /** `sign` was `auto`: keyless only where it publishes nothing private. */
  signAuto: boolean
  signingKey?: SigningKey
  /** Also sign each platform manifest of an index. */
  signRecursive: boolean
  /** Attach signed SLSA v1 provenance when signing. */
  attest: boolean
  /** Attach a signed SBOM of each image when signing. */
  sbom: boolean
  /**
   * Keyless on a private Sigstore instance (`$SIGSTORE_FULCIO_URL`): its trusted root, from
   * `$SIGSTORE_TRUSTED_ROOT`, so a re-run recognises what an earlier run of the workflow signed.
   * Read and checked here; `keylessTrustMaterial` makes sigstore-js's trust material of it.
   */
  keylessTrustedRoot?: TrustedRootFile
}

/**
 * Reads the signing inputs; `auto` becomes `key` with a key, `keyless` when the job can get an
 * OIDC token, else `none`. The key is loaded (and decrypted) here, so a wrong key or password
 * fails before anything is built or pushed.
 */
export function readSignInputs(
  reader: InputReader,
  env: NodeJS.ProcessEnv
): SignInputs {
  const keyPem = reader.exact('signing-key').trim()
  const sign = reader.field<SignMode>(
    'sign',
    value => {
      switch (value) {
        case 'auto':
          return keyPem ? 'key' : hasIdentityToken(env) ? 'keyless' : 'none'
        case 'key':
          if (!keyPem)
            throw new Error(
              'is "key" but signing-key is empty; pass the key, e.g. signing-key: ${{ secrets.COSIGN_PRIVATE_KEY }}'
            )
          return 'key'
        case 'none':
          return 'none'
        case 'keyless':
          if (!hasIdentityToken(env))
            throw new Error(
              'is "keyless" but the job has no OIDC token: missing "id-token" permission. Please add "permissions: id-token: write" to your workflow.'
            )
          return 'keyless'
        default:
          throw new Error(`"${value}" is not one of auto, key, keyless, none`)
      }
    },
    'none'
  )
  let signingKey: SigningKey | undefined
  if (sign === 'key' && keyPem) {
    try {
      signingKey = loadSigningKey(keyPem, reader.exact('signing-key-password'))
    } catch (error) {
      reader.fail(
        error instanceof KeyError && error.culprit === 'password'
          ? 'signing-key-password'
          : 'signing-key',
        error
      )
    }
  }
  let keylessTrustedRoot: TrustedRootFile | undefined
  const trustedRootFile = env.SIGSTORE_TRUSTED_ROOT?.trim()
  if (sign === 'keyless' && trustedRootFile) {
    try {
      keylessTrustedRoot = readTrustedRootFile(trustedRootFile)
    } catch (error) {
      reader.fail('sign', trustedRootError(error))
    }
  }
  return {
    sign,
    signAuto: reader.raw('sign') === 'auto',
    signingKey,
    signRecursive: reader.field('sign-recursive', parseBoolean, false),
    attest: reader.field('attest', parseBoolean, true),
    sbom: reader.field('sbom', parseBoolean, true),
    keylessTrustedRoot
  }
}

/**
 * The keyless trusted root as sigstore-js's trust material, made where the pipeline checks its
 * inputs, before anything is built: only a run that has one loads sigstore-js for it, and a root
 * sigstore-js cannot use fails as the `sign` input, like one that cannot be read.
 */
export async function keylessTrustMaterial(
  inputs: Pick<SignInputs, 'keylessTrustedRoot'>
): Promise<TrustMaterial | undefined> {
  if (!inputs.keylessTrustedRoot) return undefined
  const { trustMaterialOf } = await import('../sign/trusted-root')
  try {
    return trustMaterialOf(inputs.keylessTrustedRoot)
  } catch (error) {
    throw trustedRootError(error)
  }
}

function trustedRootError(error: unknown): InputError {
  return new InputError(
    'sign',
    `keyless, but $SIGSTORE_TRUSTED_ROOT: ${messageOf(error)}`
  )
}
