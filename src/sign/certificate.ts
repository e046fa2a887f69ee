import { X509Certificate } from '@sigstore/core'

/** Fulcio's OIDC issuer extensions: the current one (a DER string) and the first (raw text). */
const issuerV2 = '1.3.6.1.4.1.57264.1.8'
const issuerV1 = '1.3.6.1.4.1.57264.1.1'

/** What a Fulcio certificate says about its subject: the identity (URI or email SAN) and the OIDC issuer. */
export interface CertificateFacts {
  identity?: string
  issuer?: string
  notAfter: Date
}

/** Reads identity and issuer from a certificate (DER), as @sigstore/verify reads them. */
export function certificateFacts(der: Buffer): CertificateFacts {
  const certificate = X509Certificate.parse(Buffer.from(der))
  const v2 = certificate.extension(issuerV2)
  const issuer = v2
    ? v2.valueObj.subs?.[0]?.value.toString('ascii')
    : certificate.extension(issuerV1)?.value.toString('ascii')
  return {
    identity: certificate.subjectAltName,
    issuer,
    notAfter: certificate.notAfter
  }
}

/** The first certificate of a PEM text, as DER. */
export function pemToDer(pem: string | undefined): Buffer | undefined {
  const body = pem?.match(
    /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/
  )?.[1]
  return body ? Buffer.from(body.replace(/\s/g, ''), 'base64') : undefined
}

/** A certificate (DER) as PEM, as cosign writes it in annotations. */
export function certificatePem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? []
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`
}
