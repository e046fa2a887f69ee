import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto'
import {
  fulcioHandler,
  initializeCA,
  initializeCTLog,
  initializeTLog,
  rekorHandler
} from '@sigstore/mock'
import type { CA } from '@sigstore/mock/dist/fulcio'
import { mock } from '@sigstore/mock/dist/mock'

/** Fulcio's OIDC issuer extensions, as the real and the mock Fulcio write them. */
const issuerOids = { v1: '1.3.6.1.4.1.57264.1.1', v2: '1.3.6.1.4.1.57264.1.8' }

/** A Rekor (v1) answer: one entry, keyed by its UUID. */
export type RekorAnswer = Record<
  string,
  {
    body: string
    integratedTime: number
    logID: string
    logIndex: number
    verification: {
      signedEntryTimestamp: string
      inclusionProof: {
        logIndex: number
        treeSize: number
        rootHash: string
        hashes: string[]
        checkpoint: string
      }
    }
  }
>

/**
 * A Sigstore instance of our own: @sigstore/mock's Fulcio CA (with its CT log) and Rekor, keys
 * fixed for the instance, and its `trusted_root.json`. Fulcio and Rekor cannot be reached from
 * here; these answer their documented APIs in-process (nock), and directly for unit tests.
 */
export interface FakeSigstore {
  ca: CA
  /** Rekor's key: what its signed entry timestamps verify with. */
  rekorPublicKey: KeyObject
  /** Rekor's log: the entry stored as the real Rekor stores it (DSSE entries canonicalised). */
  log(proposedEntry: object): Promise<RekorAnswer>
  trustedRoot: object
  /** A certificate of this CA for `publicKey`, naming `identity` and `issuer` as Fulcio does. */
  issue(publicKey: KeyObject, identity: string, issuer: string): Promise<Buffer>
  /** Answers that many Fulcio certificate requests and Rekor entries (nock, in-process). */
  serve(counts: { certificates: number; entries: number }): void
}

/**
 * The entry as Rekor stores it: for `dsse` 0.0.1, hashes and signatures instead of the proposed
 * envelope (Rekor's `Canonicalize`). @sigstore/mock stores the proposal as it came, which
 * verifiers reject (`signature count mismatch`); hashedrekord proposals are already canonical.
 */
function canonicalEntry(proposed: object): object {
  const entry = proposed as {
    kind?: string
    apiVersion?: string
    spec?: { proposedContent?: { envelope: string; verifiers: string[] } }
  }
  const content = entry.spec?.proposedContent
  if (entry.kind !== 'dsse' || !content) return proposed
  const envelope = JSON.parse(content.envelope) as {
    payload: string
    signatures: { sig: string }[]
  }
  const sha256 = (data: Buffer | string) =>
    createHash('sha256').update(data).digest('hex')
  return {
    apiVersion: entry.apiVersion,
    kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: sha256(content.envelope) },
      payloadHash: {
        algorithm: 'sha256',
        value: sha256(Buffer.from(envelope.payload, 'base64'))
      },
      signatures: envelope.signatures.map((s, i) => ({
        signature: s.sig,
        verifier: content.verifiers[i] ?? content.verifiers[0]
      }))
    }
  }
}

export async function fakeSigstore(
  urls = {
    fulcio: 'https://fulcio.imprint.test',
    rekor: 'https://rekor.imprint.test'
  }
): Promise<FakeSigstore> {
  const caKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const rekorKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const ctlog = await initializeCTLog(caKey)
  const ca = await initializeCA(caKey, ctlog)
  const tlog = await initializeTLog(urls.rekor, rekorKey)
  const rekor = {
    publicKey: tlog.publicKey,
    log: (proposed: object) => tlog.log(canonicalEntry(proposed)),
    logV2: tlog.logV2.bind(tlog)
  }
  const b64 = (data: ArrayBufferView) =>
    Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString(
      'base64'
    )
  const start = new Date(Date.now() - 3600_000).toISOString()
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: urls.rekor,
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: b64(tlog.publicKey),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start }
        },
        logId: {
          keyId: createHash('sha256').update(tlog.publicKey).digest('base64')
        }
      }
    ],
    ctlogs: [
      {
        baseUrl: 'https://ctfe.imprint.test',
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: b64(ctlog.publicKey),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start }
        },
        logId: { keyId: b64(ctlog.logID) }
      }
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: urls.fulcio,
        certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] },
        validFor: { start }
      }
    ],
    timestampAuthorities: []
  }
  return {
    ca,
    rekorPublicKey: rekorKey.publicKey,
    log: proposed => rekor.log(proposed) as Promise<RekorAnswer>,
    trustedRoot,
    issue: async (publicKey, identity, issuer) => {
      const der = await ca.issueCertificate({
        publicKey: publicKey.export({ type: 'spki', format: 'der' }),
        subjectAltName: identity,
        extensions: [
          { oid: issuerOids.v1, value: issuer, legacy: true },
          { oid: issuerOids.v2, value: issuer }
        ]
      })
      return Buffer.from(der.buffer, der.byteOffset, der.byteLength)
    },
    serve: counts => {
      const fulcio = fulcioHandler(ca)
      const witness = rekorHandler(rekor)
      for (let i = 0; i < counts.certificates; i++) mock(urls.fulcio, fulcio)
      for (let i = 0; i < counts.entries; i++) mock(urls.rekor, witness)
    }
  }
}

/** A Rekor answer's entry as a Sigstore bundle carries it (proto JSON): the SET and the inclusion proof. */
export function bundleTlogEntry(answer: RekorAnswer): object {
  const e = Object.values(answer)[0]
  const body = JSON.parse(Buffer.from(e.body, 'base64').toString('utf8')) as {
    kind: string
    apiVersion: string
  }
  const proof = e.verification.inclusionProof
  return {
    logIndex: String(e.logIndex),
    logId: { keyId: Buffer.from(e.logID, 'hex').toString('base64') },
    kindVersion: { kind: body.kind, version: body.apiVersion },
    integratedTime: String(e.integratedTime),
    inclusionPromise: {
      signedEntryTimestamp: e.verification.signedEntryTimestamp
    },
    inclusionProof: {
      logIndex: String(proof.logIndex),
      rootHash: Buffer.from(proof.rootHash, 'hex').toString('base64'),
      treeSize: String(proof.treeSize),
      hashes: [],
      checkpoint: { envelope: proof.checkpoint }
    },
    canonicalizedBody: e.body
  }
}
