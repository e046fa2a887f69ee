import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto'
import { bundleToJSON } from '@sigstore/bundle'
import { fetchText } from '../util/fetch-text'
import { defaultRetryPolicy, withRetries } from '../util/retry'
import {
  DSSEBundleBuilder,
  FulcioSigner,
  MessageSignatureBundleBuilder,
  RekorWitness,
  type IdentityProvider
} from '@sigstore/sign'

/** Where keyless signing goes: the public-good Sigstore instance unless told otherwise. */
export interface KeylessConfig {
  fulcioURL: string
  rekorURL: string
  identity: IdentityProvider
}

export function keylessConfig(env: NodeJS.ProcessEnv): KeylessConfig {
  return {
    fulcioURL: env.SIGSTORE_FULCIO_URL || 'https://fulcio.sigstore.dev',
    rekorURL: env.SIGSTORE_REKOR_URL || 'https://rekor.sigstore.dev',
    identity: oidcTokenProvider(env)
  }
}

/**
 * The job's OIDC token for Fulcio (audience `sigstore`), as sigstore-js's CI provider gets it,
 * but from the environment the front end was given: `$SIGSTORE_ID_TOKEN`, else GitHub's token
 * service (`permissions: id-token: write`).
 */
function oidcTokenProvider(env: NodeJS.ProcessEnv): IdentityProvider {
  return {
    getToken: async () => {
      if (env.SIGSTORE_ID_TOKEN) return env.SIGSTORE_ID_TOKEN
      const url = env.ACTIONS_ID_TOKEN_REQUEST_URL
      const token = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
      if (!url || !token)
        throw new Error(
          'no OIDC token: give the job "permissions: id-token: write"'
        )
      const request = new URL(url)
      request.searchParams.set('audience', 'sigstore')
      // As sigstore-js does: a failed answer (or none) is asked for again, twice.
      const res = await withRetries(
        async () => {
          const answer = await fetchText(
            request,
            {
              headers: {
                accept: 'application/json',
                authorization: `Bearer ${token}`
              }
            },
            { timeoutMs: 30_000, maxBytes: 64 * 1024 }
          )
          if (answer.status >= 500 || answer.status === 429)
            throw new Error(`the OIDC token service answered ${answer.status}`)
          return answer
        },
        { ...defaultRetryPolicy, attempts: 3 },
        () => true
      )
      let value: unknown
      try {
        value = (JSON.parse(res.text) as { value?: unknown }).value
      } catch {
        value = undefined
      }
      if (!res.ok || typeof value !== 'string' || value === '')
        throw new Error(
          `the OIDC token service answered ${res.status} without a token`
        )
      return value
    }
  }
}

/** Whether the job can get an OIDC token for Fulcio (`permissions: id-token: write`). */
export function hasIdentityToken(env: NodeJS.ProcessEnv): boolean {
  return Boolean(
    (env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) ||
    env.SIGSTORE_ID_TOKEN
  )
}

function pem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? []
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`
}

/** The certificate's identity: its URI (workflow) or email subject alternative name. */
export function certificateIdentity(
  certificate: X509Certificate
): string | undefined {
  const san = certificate.subjectAltName ?? ''
  return /URI:([^,\s]+)/.exec(san)?.[1] ?? /email:([^,\s]+)/.exec(san)?.[1]
}

/** A short-lived Fulcio certificate per signature, with the signature witnessed by Rekor (v1). */
export class KeylessSigner {
  private readonly signer: FulcioSigner
  private readonly witness: RekorWitness
  /** The certificate of the latest signature: what this run's signatures verify with. */
  certificate?: X509Certificate

  constructor(config: KeylessConfig) {
    this.signer = new FulcioSigner({
      fulcioBaseURL: config.fulcioURL,
      identityProvider: config.identity
    })
    this.witness = new RekorWitness({ rekorBaseURL: config.rekorURL })
  }

  get publicKey(): KeyObject | undefined {
    return this.certificate
      ? createPublicKey(
          this.certificate.publicKey.export({ format: 'pem', type: 'spki' })
        )
      : undefined
  }

  /**
   * The legacy `.sig` layer annotations for a simple-signing payload: signature, certificate, an
   * empty chain (Fulcio returns only the leaf), and the Rekor SET as cosign writes it.
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
    this.certificate = new X509Certificate(leaf)
    const annotations: Record<string, string> = {
      'dev.cosignproject.cosign/signature':
        content.messageSignature.signature.toString('base64'),
      'dev.sigstore.cosign/certificate': pem(leaf),
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
    const json = bundleToJSON(bundle) as {
      verificationMaterial?: { certificate?: { rawBytes?: string } }
    }
    const raw = json.verificationMaterial?.certificate?.rawBytes
    if (raw) this.certificate = new X509Certificate(Buffer.from(raw, 'base64'))
    return json
  }
}
