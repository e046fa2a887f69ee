import { messageOf } from '../errors'
import { KeyError, loadSigningKey, type SigningKey } from '../sign/keys'
import type { TrustMaterial } from '@sigstore/verify'
import { hasIdentityToken } from '../sign/keyless'
import { readTrustedRoot } from '../sign/trusted-root'
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
   */
  keylessTrustedRoot?: TrustMaterial
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
  let keylessTrustedRoot: TrustMaterial | undefined
  const trustedRootFile = env.SIGSTORE_TRUSTED_ROOT?.trim()
  if (sign === 'keyless' && trustedRootFile) {
    try {
      keylessTrustedRoot = readTrustedRoot(trustedRootFile)
    } catch (error) {
      reader.fail(
        'sign',
        new Error(`keyless, but $SIGSTORE_TRUSTED_ROOT: ${messageOf(error)}`)
      )
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
