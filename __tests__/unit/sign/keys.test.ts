import { generateKeyPairSync, sign, verify } from 'node:crypto'
import { describe, expect, it } from '@jest/globals'
import { parseReference, Repository } from '../../../src/oci/reference'
import {
  encryptCosignKey,
  generateKeyPair,
  loadSigningKey
} from '../../../src/sign/keys'
import {
  cosignSignStatement,
  pae,
  simpleSigningPayload
} from '../../../src/sign/payload'
import { payloadNames } from '../../../src/sign/verify'

const digest = `sha256:${'ab'.repeat(32)}` as const

describe('signing keys', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })

  it('loads PKCS#8 and SEC1 P-256 keys, which sign what their public key verifies', () => {
    for (const type of ['pkcs8', 'sec1'] as const) {
      const key = loadSigningKey(
        privateKey.export({ type, format: 'pem' }).toString()
      )
      const signature = sign('sha256', Buffer.from('x'), key.privateKey)
      expect(verify('sha256', Buffer.from('x'), key.publicKey, signature)).toBe(
        true
      )
      expect(key.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/)
    }
  })

  it('round-trips a cosign-encrypted key and rejects the wrong password', () => {
    const pem = encryptCosignKey(privateKey, 'pw')
    expect(pem).toMatch(/^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----/)
    expect(loadSigningKey(pem, 'pw').hint).toBe(
      loadSigningKey(
        privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
      ).hint
    )
    expect(() => loadSigningKey(pem, 'nope')).toThrow(
      /signing-key-password is wrong/
    )
  })

  it("refuses other curves and scrypt parameters outside cosign's", () => {
    const p384 = generateKeyPairSync('ec', {
      namedCurve: 'secp384r1'
    }).privateKey
    expect(() =>
      loadSigningKey(p384.export({ type: 'pkcs8', format: 'pem' }).toString())
    ).toThrow(/EC secp384r1 key; only ECDSA P-256/)
    const weak = encryptCosignKey(privateKey, 'pw', 1024)
    expect(() => loadSigningKey(weak, 'pw')).toThrow(/scrypt parameters N=1024/)
  })

  it('generates an encrypted pair whose halves match', () => {
    const pair = generateKeyPair('secret')
    expect(loadSigningKey(pair.privateKeyPem, 'secret').publicKeyPem).toBe(
      pair.publicKeyPem
    )
  })
})

describe('payloads', () => {
  it('writes the simple-signing payload byte for byte, Docker Hub named as cosign names it', () => {
    expect(
      simpleSigningPayload(
        Repository.parse('ghcr.io/acme/shop'),
        digest
      ).toString()
    ).toBe(
      `{"critical":{"identity":{"docker-reference":"ghcr.io/acme/shop"},"image":{"docker-manifest-digest":"${digest}"},"type":"cosign container image signature"},"optional":null}`
    )
    expect(
      simpleSigningPayload(
        parseReference('nginx').repository,
        digest
      ).toString()
    ).toContain('"docker-reference":"index.docker.io/library/nginx"')
  })

  it('checks payloads as strictly as containers/image', () => {
    const good = simpleSigningPayload(Repository.parse('ghcr.io/a/b'), digest)
    expect(payloadNames(good, digest)).toBe(true)
    expect(payloadNames(good, `sha256:${'cd'.repeat(32)}`)).toBe(false)
    const noOptional = Buffer.from(
      good.toString().replace(',"optional":null', '')
    )
    expect(payloadNames(noOptional, digest)).toBe(false)
    const extra = Buffer.from(
      good.toString().replace('"type"', '"extra":1,"type"')
    )
    expect(payloadNames(extra, digest)).toBe(false)
  })

  it('encodes DSSE PAE with byte lengths', () => {
    expect(pae('t', Buffer.from('ünï')).toString()).toBe('DSSEv1 1 t 5 ünï')
    expect(JSON.parse(cosignSignStatement(digest).toString()).subject).toEqual([
      { digest: { sha256: 'ab'.repeat(32) } }
    ])
  })
})
