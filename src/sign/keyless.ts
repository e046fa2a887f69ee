import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto'
import { bundleToJSON } from '@sigstore/bundle'
import type { TrustMaterial } from '@sigstore/verify'
import {
  DSSEBundleBuilder,
  FulcioSigner,
  MessageSignatureBundleBuilder,
  RekorWitness,
  type IdentityProvider,
  type Signer
} from '@sigstore/sign'
import { certificateFacts, certificatePem, pemToDer } from './certificate'
import { oidcTokenProvider } from './oidc'
import {
  publicGoodFulcioURL,
  publicGoodRekorURL,
  publicGoodTrustedRoot,
  trustMaterialFrom
} from './trusted-root'

/** Where keyless signing goes: the public-good Sigstore instance unless told otherwise. */
export interface KeylessConfig {
  fulcioURL: string
  rekorURL: string
  identity: IdentityProvider
  /** The instance's trusted root (to recognise earlier runs' signatures), when known. */
  trustedRoot?: TrustMaterial
}

/**
 * Keyless signing's settings: `$SIGSTORE_FULCIO_URL` / `$SIGSTORE_REKOR_URL` for a private
 * instance, whose trusted root is `trustedRoot` (read from `$SIGSTORE_TRUSTED_ROOT` with the
 * inputs); the public-good instance's own is built in.
 */
export function keylessConfig(
  env: NodeJS.ProcessEnv,
  trustedRoot?: TrustMaterial
): KeylessConfig {
  const fulcioURL = env.SIGSTORE_FULCIO_URL || publicGoodFulcioURL
  const rekorURL = env.SIGSTORE_REKOR_URL || publicGoodRekorURL
  const publicGood =
    fulcioURL === publicGoodFulcioURL && rekorURL === publicGoodRekorURL
  return {
    fulcioURL,
    rekorURL,
    identity: oidcTokenProvider(env),
    trustedRoot:
      trustedRoot ??
      (publicGood ? trustMaterialFrom(publicGoodTrustedRoot) : undefined)
  }
}

/** The certificate this run signs with, and what it says. */
interface RunCertificate {
  pem: string
  der: Buffer
  identity: string
  issuer: string
  notAfter: number
}

/** A certificate with less validity left than this is replaced before signing. */
const certificateMargin = 2 * 60_000

/**
 * Signs keyless: one ephemeral P-256 key per run, certified by Fulcio once (again only when the
 * short-lived certificate is about to expire), every signature witnessed by Rekor (v1). Knowing
 * the certificate before signing anything lets a re-run recognise what an earlier run of the same
 * workflow identity already attached.
 */
export class KeylessSigner {
  private readonly key = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  private readonly fulcio: FulcioSigner
  private readonly witness: RekorWitness
  private current?: Promise<RunCertificate>
  /** Every certificate Fulcio issued to this run (DER): this run's own signatures verify with them. */
  readonly issued: Buffer[] = []
  /** The instance's trusted root, when known: earlier runs' signatures are checked against it. */
  readonly trustedRoot?: TrustMaterial

  constructor(config: KeylessConfig) {
    const keyHolder: Signer = {
      sign: async data => ({
        signature: cryptoSign('sha256', data, this.key.privateKey),
        key: {
          $case: 'publicKey',
          publicKey: this.key.publicKey
            .export({ format: 'pem', type: 'spki' })
            .toString()
        }
      })
    }
    this.fulcio = new FulcioSigner({
      fulcioBaseURL: config.fulcioURL,
      identityProvider: config.identity,
      keyHolder
    })
    this.witness = new RekorWitness({ rekorBaseURL: config.rekorURL })
    this.trustedRoot = config.trustedRoot
  }

  /** The run's certificate: asked of Fulcio once, and again when less than two minutes of it are left. */
  async certificate(): Promise<RunCertificate> {
    const held = await this.current
    if (held && held.notAfter - Date.now() > certificateMargin) return held
    this.current = this.requestCertificate()
    return this.current
  }

  private async requestCertificate(): Promise<RunCertificate> {
    // Fulcio certifies the key (proof of possession over the token's subject); what is signed
    // alongside is not used.
    const { key } = await this.fulcio.sign(Buffer.alloc(0))
    const der =
      key.$case === 'x509Certificate' ? pemToDer(key.certificate) : undefined
    if (!der) throw new Error('Fulcio returned no certificate')
    const { identity, issuer, notAfter } = certificateFacts(der)
    if (!identity || !issuer)
      throw new Error(
        'the Fulcio certificate names no identity or no OIDC issuer'
      )
    this.issued.push(der)
    return {
      pem: certificatePem(der),
      der,
      identity,
      issuer,
      notAfter: notAfter.getTime()
    }
  }

  /** Signs with the run's key and hands sigstore-js the run's certificate. */
  private readonly signer: Signer = {
    sign: async data => {
      const certificate = await this.certificate()
      return {
        signature: cryptoSign('sha256', data, this.key.privateKey),
        key: { $case: 'x509Certificate', certificate: certificate.pem }
      }
    }
  }

  /**
   * The legacy `.sig` layer annotations for a simple-signing payload: signature, certificate, an
   * empty chain (verifiers take the chain from their trusted root), and the Rekor SET as cosign
   * writes it.
   */
  async legacyAnnotations(payload: Buffer): Promise<Record<string, string>> {
    const bundle = await new MessageSignatureBundleBuilder({
      signer: this.signer,
      witnesses: [this.witness]
    }).create({
      data: payload
    })
    const content = bundle.content as {
      $case: string
      messageSignature?: { signature: Buffer }
    }
    const material = bundle.verificationMaterial
    const chain = material.content as {
      $case: string
      x509CertificateChain?: { certificates: { rawBytes: Buffer }[] }
      certificate?: { rawBytes: Buffer }
    }
    const leaf =
      chain.x509CertificateChain?.certificates[0]?.rawBytes ??
      chain.certificate?.rawBytes
    if (!content.messageSignature || !leaf)
      throw new Error(
        'Fulcio/Rekor returned a bundle without a signature or certificate'
      )
    const annotations: Record<string, string> = {
      'dev.cosignproject.cosign/signature':
        content.messageSignature.signature.toString('base64'),
      'dev.sigstore.cosign/certificate': certificatePem(leaf),
      'dev.sigstore.cosign/chain': ''
    }
    const entry = material.tlogEntries[0]
    if (entry?.inclusionPromise) {
      annotations['dev.sigstore.cosign/bundle'] = JSON.stringify({
        SignedEntryTimestamp:
          entry.inclusionPromise.signedEntryTimestamp.toString('base64'),
        Payload: {
          body: entry.canonicalizedBody.toString('base64'),
          integratedTime: Number(entry.integratedTime),
          logIndex: Number(entry.logIndex),
          logID: entry.logId.keyId.toString('hex')
        }
      })
    }
    return annotations
  }

  /** A Sigstore bundle v0.3 with a DSSE envelope over an in-toto statement (cosign v3's format). */
  async statementBundle(
    statement: Buffer,
    payloadType: string
  ): Promise<object> {
    const bundle = await new DSSEBundleBuilder({
      signer: this.signer,
      witnesses: [this.witness]
    }).create({
      data: statement,
      type: payloadType
    })
    return bundleToJSON(bundle)
  }
}
