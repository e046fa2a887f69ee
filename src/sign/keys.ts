import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  scryptSync,
  type KeyObject
} from 'node:crypto'
import nacl from 'tweetnacl'

/** PEM types of cosign's encrypted keys (current, and the one cosign wrote before 2.0). */
const encryptedPemTypes = [
  'ENCRYPTED SIGSTORE PRIVATE KEY',
  'ENCRYPTED COSIGN PRIVATE KEY'
] as const

/** Scrypt parameters cosign accepts on decryption; anything else is refused (a DoS guard). */
const allowedScryptN = new Set([32768, 65536, 131072])
const scryptMaxmem = 256 * 1024 * 1024

/** A key the signer can use, and what verifiers need to know about it. */
export interface SigningKey {
  privateKey: KeyObject
  publicKey: KeyObject
  /** PEM `PUBLIC KEY` (SPKI). */
  publicKeyPem: string
  /** base64(sha256(SPKI DER)): sigstore-go's key hint. */
  hint: string
}

/** Why a key could not be used; the message says what to fix, never the key or password. */
export class KeyError extends Error {
  constructor(
    message: string,
    /** What is wrong: the key itself, or its password. */
    readonly culprit: 'key' | 'password' = 'key'
  ) {
    super(message)
    this.name = 'KeyError'
  }
}

interface EncryptedKeyJson {
  kdf: {
    name: string
    params: { N: number; r: number; p: number }
    salt: string
  }
  cipher: { name: string; nonce: string }
  ciphertext: string
}

function pemBlocks(text: string): { type: string; body: Buffer }[] {
  const blocks: { type: string; body: Buffer }[] = []
  const pattern =
    /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)\r?\n-----END \1-----/g
  for (const match of text.matchAll(pattern)) {
    blocks.push({
      type: match[1],
      body: Buffer.from(match[2].replace(/\s+/g, ''), 'base64')
    })
  }
  return blocks
}

function toSigningKey(privateKey: KeyObject): SigningKey {
  if (
    privateKey.asymmetricKeyType !== 'ec' ||
    privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1'
  ) {
    const kind =
      privateKey.asymmetricKeyType === 'ec'
        ? `an EC ${privateKey.asymmetricKeyDetails?.namedCurve} key`
        : `a ${privateKey.asymmetricKeyType?.toUpperCase()} key`
    throw new KeyError(
      `is ${kind}; only ECDSA P-256 keys are supported (skopeo and podman verify with SHA-256 only). Create one with "imprint generate-key-pair"`
    )
  }
  const publicKey = createPublicKey(privateKey)
  const spki = publicKey.export({ format: 'der', type: 'spki' })
  return {
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    hint: createHash('sha256').update(spki).digest('base64')
  }
}

function decryptCosignKey(body: Buffer, password: string): KeyObject {
  let parsed: EncryptedKeyJson
  try {
    parsed = JSON.parse(body.toString('utf8')) as EncryptedKeyJson
  } catch {
    throw new KeyError('is an encrypted cosign key whose body is not JSON')
  }
  const { kdf, cipher, ciphertext } = parsed
  if (kdf?.name !== 'scrypt' || cipher?.name !== 'nacl/secretbox') {
    throw new KeyError(
      `is encrypted with ${kdf?.name}/${cipher?.name}; only scrypt + nacl/secretbox (cosign's format) is supported`
    )
  }
  const { N, r, p } = kdf.params ?? {}
  if (!allowedScryptN.has(N) || r !== 8 || p !== 1) {
    throw new KeyError(
      `has scrypt parameters N=${N} r=${r} p=${p}; cosign keys use N=32768, 65536 or 131072 with r=8, p=1`
    )
  }
  const key = scryptSync(
    Buffer.from(password, 'utf8'),
    Buffer.from(kdf.salt, 'base64'),
    32,
    { N, r, p, maxmem: scryptMaxmem }
  )
  const opened = nacl.secretbox.open(
    new Uint8Array(Buffer.from(ciphertext, 'base64')),
    new Uint8Array(Buffer.from(cipher.nonce, 'base64')),
    new Uint8Array(key)
  )
  if (!opened) {
    throw new KeyError(
      'could not be decrypted: the signing-key-password is wrong for this key',
      'password'
    )
  }
  return createPrivateKey({
    key: Buffer.from(opened),
    format: 'der',
    type: 'pkcs8'
  })
}

/**
 * Loads a signing key from PEM: PKCS#8 (`PRIVATE KEY`), SEC1 (`EC PRIVATE KEY`), or a cosign
 * encrypted key decrypted with `password`. Only ECDSA P-256 is accepted.
 */
export function loadSigningKey(pem: string, password = ''): SigningKey {
  const blocks = pemBlocks(pem)
  if (blocks.length === 0) {
    throw new KeyError(
      'is not a PEM private key (expected -----BEGIN PRIVATE KEY-----, EC PRIVATE KEY or ENCRYPTED SIGSTORE PRIVATE KEY)'
    )
  }
  const block = blocks.find(b => b.type.endsWith('PRIVATE KEY'))
  if (!block) {
    throw new KeyError(
      `holds a ${blocks[0].type}, not a private key; pass the private key (the .key file), not the public one`
    )
  }
  if ((encryptedPemTypes as readonly string[]).includes(block.type)) {
    return toSigningKey(decryptCosignKey(block.body, password))
  }
  if (block.type === 'ENCRYPTED PRIVATE KEY') {
    throw new KeyError(
      'is a PKCS#8-encrypted key; use an unencrypted PEM or a cosign-encrypted key (imprint generate-key-pair)'
    )
  }
  try {
    const privateKey =
      block.type === 'EC PRIVATE KEY'
        ? createPrivateKey({ key: block.body, format: 'der', type: 'sec1' })
        : createPrivateKey({ key: block.body, format: 'der', type: 'pkcs8' })
    return toSigningKey(privateKey)
  } catch (error) {
    if (error instanceof KeyError) throw error
    throw new KeyError(`could not be parsed as a ${block.type}`)
  }
}

function pem(type: string, body: Buffer): string {
  const lines = body.toString('base64').match(/.{1,64}/g) ?? []
  return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`
}

/** Encrypts a private key the way cosign does (scrypt N=65536 + NaCl secretbox). */
export function encryptCosignKey(
  privateKey: KeyObject,
  password: string,
  n = 65536
): string {
  const salt = randomBytes(32)
  const nonce = randomBytes(24)
  const key = scryptSync(Buffer.from(password, 'utf8'), salt, 32, {
    N: n,
    r: 8,
    p: 1,
    maxmem: scryptMaxmem
  })
  const der = privateKey.export({ format: 'der', type: 'pkcs8' })
  const sealed = nacl.secretbox(
    new Uint8Array(der),
    new Uint8Array(nonce),
    new Uint8Array(key)
  )
  const body = JSON.stringify({
    kdf: {
      name: 'scrypt',
      params: { N: n, r: 8, p: 1 },
      salt: salt.toString('base64')
    },
    cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
    ciphertext: Buffer.from(sealed).toString('base64')
  })
  return pem('ENCRYPTED SIGSTORE PRIVATE KEY', Buffer.from(body))
}

/** A new P-256 key pair: the cosign-encrypted private key and the public key, both PEM. */
export function generateKeyPair(password: string): {
  privateKeyPem: string
  publicKeyPem: string
} {
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1'
  })
  return {
    privateKeyPem: encryptCosignKey(privateKey, password),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString()
  }
}
