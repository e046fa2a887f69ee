import { execFile, execFileSync, spawnSync } from 'node:child_process'
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  scryptSync
} from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { bundleFromJSON } from '@sigstore/bundle'
import { TrustedRoot } from '@sigstore/protobuf-specs'
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify'
import nacl from 'tweetnacl'
import { runAction } from '../helpers/action'
import {
  catalog,
  readBlob,
  startRegistry,
  type TestRegistry
} from '../helpers/registry'
import { requireTool } from '../helpers/tools'
import { generateCosignKeys } from '../helpers/keys'
import { gitWorkspace } from '../helpers/workspace'

const run = promisify(execFile)
let registry: TestRegistry
const keys = mkdtempSync(join(tmpdir(), 'imprint-keys-'))
const password = 'correct horse battery staple'

beforeAll(async () => {
  registry = await startRegistry()
  // The key pair comes from our own command line, as a user would make it.
  generateCosignKeys(keys, password)
})
afterAll(async () => registry?.stop())

// Registry JSON is checked field by field in the tests.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>

async function skopeoRaw(reference: string): Promise<Json> {
  const { stdout } = await run(requireTool('skopeo'), [
    'inspect',
    '--tls-verify=false',
    '--raw',
    `docker://${reference}`
  ])
  return JSON.parse(stdout)
}
function opensslVerify(
  publicKeyPem: string,
  data: Buffer,
  signature: Buffer
): string {
  const dir = mkdtempSync(join(tmpdir(), 'imprint-openssl-'))
  writeFileSync(join(dir, 'pub.pem'), publicKeyPem)
  writeFileSync(join(dir, 'data'), data)
  writeFileSync(join(dir, 'sig.der'), signature)
  const result = spawnSync(
    requireTool('openssl'),
    [
      'dgst',
      '-sha256',
      '-verify',
      join(dir, 'pub.pem'),
      '-signature',
      join(dir, 'sig.der'),
      join(dir, 'data')
    ],
    {
      encoding: 'utf8'
    }
  )
  return (result.stdout + result.stderr).trim()
}
function paeOf(type: string, body: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${body.length} `),
    body
  ])
}

const app = { 'app/hello.txt': 'signed content\n' }

describe('key-based signing', () => {
  const repo = 'acme/signed'
  let digest = ''
  let signature = ''
  let pub = ''
  let ws: { dir: string; sha: string }
  const runEnv = () => ({
    GITHUB_SHA: ws.sha,
    GITHUB_REPOSITORY: 'acme/signed',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_WORKFLOW_REF:
      'acme/signed/.github/workflows/release.yml@refs/heads/main',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_EVENT_NAME: 'push'
  })

  it('pushes, signs in both formats and reports the signature', () => {
    ws = gitWorkspace(app)
    pub = readFileSync(join(keys, 'cosign.pub'), 'utf8')
    const result = runAction(
      {
        image: `${registry.host}/${repo}`,
        base: 'scratch',
        layers: 'app:/app',
        'signing-key': readFileSync(join(keys, 'cosign.key'), 'utf8'),
        'signing-key-password': password
      },
      { cwd: ws.dir, env: runEnv() }
    )
    expect(result.stdout).not.toContain('::error')
    expect(result.status).toBe(0)
    digest = result.outputs.digest
    signature = result.outputs.signature
    const hex = digest.slice('sha256:'.length)
    expect(signature).toMatch(
      new RegExp(
        `^${registry.host}/${repo}:sha256-${hex}\\.sig@sha256:[a-f0-9]{64}$`
      )
    )
    expect(result.summary).toContain('cosign v3 bundle')
    // Key material and password never reach the log, apart from the runner's own masking commands.
    const log = (result.stdout + result.stderr)
      .split('\n')
      .filter(l => !l.startsWith('::add-mask::'))
    expect(
      log.filter(l => l.includes(password) || l.includes('ENCRYPTED SIGSTORE'))
    ).toEqual([])
  })

  it('writes a legacy .sig that openssl verifies, with the exact simple-signing payload', async () => {
    const hex = digest.slice('sha256:'.length)
    const manifest = await skopeoRaw(
      `${registry.host}/${repo}:sha256-${hex}.sig`
    )
    expect(manifest.mediaType).toBe(
      'application/vnd.oci.image.manifest.v1+json'
    )
    expect(manifest.config.size).toBe(233)
    expect(manifest.layers).toHaveLength(1)
    const layer = manifest.layers[0]
    expect(layer.mediaType).toBe(
      'application/vnd.dev.cosign.simplesigning.v1+json'
    )
    const payload = await readBlob(registry, repo, layer.digest)
    expect(payload.toString()).toBe(
      `{"critical":{"identity":{"docker-reference":"${registry.host}/${repo}"},"image":{"docker-manifest-digest":"${digest}"},"type":"cosign container image signature"},"optional":null}`
    )
    const sig = Buffer.from(
      layer.annotations['dev.cosignproject.cosign/signature'],
      'base64'
    )
    expect(opensslVerify(pub, payload, sig)).toBe('Verified OK')
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString()
    expect(opensslVerify(other, payload, sig)).toMatch(/Verification failure/)
    const config = await readBlob(registry, repo, manifest.config.digest)
    expect(JSON.parse(config.toString()).rootfs.diff_ids).toEqual([
      layer.digest
    ])
  })

  it('attaches a bundle v0.3 referrer (fallback tag here) that @sigstore/verify and openssl accept', async () => {
    const hex = digest.slice('sha256:'.length)
    // distribution 2.8 has no referrers API: the sha256-<hex> index lists the referrer.
    const index = await skopeoRaw(`${registry.host}/${repo}:sha256-${hex}`)
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json')
    // A cosign signature bundle, an SLSA provenance and an SBOM, each listed with its artifactType
    // (the SBOM's own checks are in sbom.itest.ts).
    expect(index.manifests).toHaveLength(3)
    const byPredicate = (type: string) =>
      index.manifests.find(
        (m: Json) => m.annotations['dev.sigstore.bundle.predicateType'] === type
      )
    const entry = byPredicate('https://sigstore.dev/cosign/sign/v1')
    expect(entry.artifactType).toBe(
      'application/vnd.dev.sigstore.bundle.v0.3+json'
    )
    const provenanceEntry = byPredicate('https://slsa.dev/provenance/v1')
    expect(provenanceEntry.artifactType).toBe(
      'application/vnd.dev.sigstore.bundle.v0.3+json'
    )
    const referrer = await skopeoRaw(`${registry.host}/${repo}@${entry.digest}`)
    expect(referrer.subject.digest).toBe(digest)
    expect(referrer.config).toEqual({
      mediaType: 'application/vnd.oci.empty.v1+json',
      size: 2,
      digest:
        'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'
    })
    expect(referrer.annotations['dev.sigstore.bundle.content']).toBe(
      'dsse-envelope'
    )
    const bundleJson = JSON.parse(
      (await readBlob(registry, repo, referrer.layers[0].digest)).toString()
    )
    const statement = JSON.parse(
      Buffer.from(bundleJson.dsseEnvelope.payload, 'base64').toString()
    )
    expect(statement).toEqual({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ digest: { sha256: hex } }],
      predicateType: 'https://sigstore.dev/cosign/sign/v1',
      predicate: {}
    })

    const publicKey = createPublicKey(pub)
    const hint = createHash('sha256')
      .update(publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64')
    expect(bundleJson.verificationMaterial.publicKey.hint).toBe(hint)
    const emptyRoot = TrustedRoot.fromJSON({
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      tlogs: [],
      ctlogs: [],
      certificateAuthorities: [],
      timestampAuthorities: []
    })
    const verifierFor = (key: typeof publicKey) =>
      new Verifier(
        toTrustMaterial(emptyRoot, () => ({
          publicKey: key,
          validFor: () => true
        })),
        { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }
      )
    const entity = toSignedEntity(bundleFromJSON(bundleJson))
    expect(verifierFor(publicKey).verify(entity).key).toBeDefined()
    const wrong = generateKeyPairSync('ec', {
      namedCurve: 'prime256v1'
    }).publicKey
    expect(() => verifierFor(wrong).verify(entity)).toThrow()

    // The provenance bundle verifies with the same key and names the run, the commit and the layers.
    const provenanceManifest = await skopeoRaw(
      `${registry.host}/${repo}@${provenanceEntry.digest}`
    )
    const provenanceBundle = JSON.parse(
      (
        await readBlob(registry, repo, provenanceManifest.layers[0].digest)
      ).toString()
    )
    expect(
      verifierFor(publicKey).verify(
        toSignedEntity(bundleFromJSON(provenanceBundle))
      ).key
    ).toBeDefined()
    const provenance = JSON.parse(
      Buffer.from(provenanceBundle.dsseEnvelope.payload, 'base64').toString()
    )
    expect(provenance.subject).toEqual([
      { name: `${registry.host}/${repo}`, digest: { sha256: hex } }
    ])
    expect(provenance.predicate.runDetails).toEqual({
      builder: {
        id: 'https://github.com/acme/signed/.github/workflows/release.yml@refs/heads/main'
      },
      metadata: {
        invocationId:
          'https://github.com/acme/signed/actions/runs/4242/attempts/1'
      }
    })
    const dependencies =
      provenance.predicate.buildDefinition.resolvedDependencies
    expect(dependencies[0]).toEqual({
      uri: 'git+https://github.com/acme/signed@refs/heads/main',
      digest: { gitCommit: ws.sha }
    })
    expect(dependencies[1]).toMatchObject({
      name: 'app',
      annotations: { destination: '/app' }
    })
    expect(
      provenance.predicate.buildDefinition.externalParameters.workflow.path
    ).toBe('.github/workflows/release.yml')

    const body = Buffer.from(bundleJson.dsseEnvelope.payload, 'base64')
    const sig = Buffer.from(bundleJson.dsseEnvelope.signatures[0].sig, 'base64')
    const pubPem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
    expect(
      opensslVerify(pubPem, paeOf('application/vnd.in-toto+json', body), sig)
    ).toBe('Verified OK')
  })

  it('does not add duplicate signatures on a re-run', async () => {
    const again = runAction(
      {
        image: `${registry.host}/${repo}`,
        base: 'scratch',
        layers: 'app:/app',
        'signing-key': readFileSync(join(keys, 'cosign.key'), 'utf8'),
        'signing-key-password': password
      },
      { cwd: ws.dir, env: runEnv() }
    )
    expect(again.status).toBe(0)
    expect(again.outputs.signature).toBe(signature)
    const hex = digest.slice('sha256:'.length)
    expect(
      (await skopeoRaw(`${registry.host}/${repo}:sha256-${hex}.sig`)).layers
    ).toHaveLength(1)
    expect(
      (await skopeoRaw(`${registry.host}/${repo}:sha256-${hex}`)).manifests
    ).toHaveLength(3)
    // The cosign v2 form of the attestations: one provenance and one SBOM, not one more per run.
    expect(
      (await skopeoRaw(`${registry.host}/${repo}:sha256-${hex}.att`)).layers
    ).toHaveLength(2)
  })

  it('is verified by imprint verify with the right key only', () => {
    const verify = (keyFile: string) =>
      spawnSync(
        process.execPath,
        [
          resolve('dist/cli/index.js'),
          'verify',
          '--key',
          keyFile,
          `${registry.host}/${repo}@${digest}`
        ],
        { encoding: 'utf8' }
      )
    const ok = verify(join(keys, 'cosign.pub'))
    expect(ok.stdout).toContain(
      'legacy .sig (cosign v2, containers/image): 1 of 1 verified'
    )
    expect(ok.stdout).toContain(
      'bundle referrers (cosign v3): 3 of 3 verified (https://cyclonedx.org/bom, https://sigstore.dev/cosign/sign/v1, https://slsa.dev/provenance/v1)'
    )
    expect(ok.stdout).toContain(
      'legacy .att (cosign v2): 2 of 2 verified (https://cyclonedx.org/bom, https://slsa.dev/provenance/v1)'
    )
    expect(ok.status).toBe(0)
    const otherKey = join(keys, 'other.pub')
    writeFileSync(
      otherKey,
      generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({
        type: 'spki',
        format: 'pem'
      })
    )
    const bad = verify(otherKey)
    expect(bad.stdout).toContain(
      'legacy .sig (cosign v2, containers/image): 0 of 1 verified'
    )
    expect(bad.stdout).toContain(
      'bundle referrers (cosign v3): 0 of 3 verified'
    )
    expect(bad.stdout).toContain('legacy .att (cosign v2): 0 of 2 verified')
    expect(bad.status).toBe(1)
  })
})

describe('signing keys that cannot be used fail before anything is pushed', () => {
  it.each([
    [
      'a wrong password',
      { 'signing-key-password': 'wrong' },
      /^::error::Input "signing-key-password": could not be decrypted/
    ],
    [
      'a public key',
      { 'signing-key': 'PUB' },
      /^::error::Input "signing-key": holds a PUBLIC KEY, not a private key/
    ],
    [
      'garbage',
      { 'signing-key': 'not a key' },
      /^::error::Input "signing-key": is not a PEM private key/
    ],
    [
      'an RSA key',
      { 'signing-key': 'RSA' },
      /^::error::Input "signing-key": is a RSA key; only ECDSA P-256/
    ],
    [
      'keyless',
      { sign: 'keyless' },
      /^::error::Input "sign": is "keyless" but the job has no OIDC token: missing "id-token" permission/
    ]
  ])('%s', async (_what, overrides, expected) => {
    const ws = gitWorkspace(app)
    const key = (value: string): string =>
      value === 'PUB'
        ? readFileSync(join(keys, 'cosign.pub'), 'utf8')
        : value === 'RSA'
          ? generateKeyPairSync('rsa', { modulusLength: 2048 })
              .privateKey.export({ type: 'pkcs8', format: 'pem' })
              .toString()
          : value
    const inputs: Record<string, string> = {
      image: `${registry.host}/acme/refused`,
      base: 'scratch',
      layers: 'app:/app',
      'signing-key': readFileSync(join(keys, 'cosign.key'), 'utf8'),
      'signing-key-password': password,
      ...overrides
    }
    inputs['signing-key'] = key(inputs['signing-key'])
    const result = runAction(inputs, {
      cwd: ws.dir,
      env: { GITHUB_SHA: ws.sha }
    })
    expect(result.status).toBe(1)
    const errors = result.stdout
      .split('\n')
      .filter(l => l.startsWith('::error'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(expected)
    expect(await catalog(registry)).not.toContain('acme/refused')
  })
})

describe('cosign key fixtures', () => {
  it("loads a key in cosign's old ENCRYPTED COSIGN PRIVATE KEY format (scrypt N=32768)", async () => {
    // Built here from the documented JSON shape (go-securesystemslib encrypted.go), not by our writer.
    const { privateKey, publicKey } = generateKeyPairSync('ec', {
      namedCurve: 'prime256v1'
    })
    const salt = randomBytes(32)
    const nonce = randomBytes(24)
    const key = scryptSync('fixture-pass', salt, 32, {
      N: 32768,
      r: 8,
      p: 1,
      maxmem: 256 * 1024 * 1024
    })
    const sealed = nacl.secretbox(
      new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })),
      new Uint8Array(nonce),
      new Uint8Array(key)
    )
    const body = JSON.stringify({
      kdf: {
        name: 'scrypt',
        params: { N: 32768, r: 8, p: 1 },
        salt: salt.toString('base64')
      },
      cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
      ciphertext: Buffer.from(sealed).toString('base64')
    })
    const pem = `-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n${Buffer.from(
      body
    )
      .toString('base64')
      .match(/.{1,64}/g)!
      .join('\n')}\n-----END ENCRYPTED COSIGN PRIVATE KEY-----\n`
    const keyFile = join(keys, 'fixture.key')
    writeFileSync(keyFile, pem)
    const ws = gitWorkspace(app)
    const result = spawnSync(
      process.execPath,
      [
        resolve('dist/cli/index.js'),
        'build',
        '--image',
        `${registry.host}/acme/fixture`,
        '--base',
        'scratch',
        '--layers',
        'app:/app',
        '--push',
        'true',
        '--signing-key',
        keyFile,
        '--working-directory',
        ws.dir
      ],
      {
        env: { ...process.env, COSIGN_PASSWORD: 'fixture-pass' },
        encoding: 'utf8'
      }
    )
    expect(result.stderr).not.toContain('error:')
    expect(result.status).toBe(0)
    const pubFile = join(keys, 'fixture.pub')
    writeFileSync(pubFile, publicKey.export({ type: 'spki', format: 'pem' }))
    const verified = execFileSync(
      process.execPath,
      [
        resolve('dist/cli/index.js'),
        'verify',
        '--key',
        pubFile,
        `${registry.host}/acme/fixture@${result.stdout.trim()}`
      ],
      { encoding: 'utf8' }
    )
    expect(verified).toContain('1 of 1 verified')
  })
})
