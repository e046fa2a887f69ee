import { execFileSync, spawnSync } from 'node:child_process'
import {
  createHash,
  sign as cryptoSign,
  verify as cryptoVerify,
  X509Certificate
} from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { Digest } from '../../src/oci/digest'
import { parseReference, Registry } from '../../src/oci/reference'
import { RegistryClient } from '../../src/registry/client'
import { defaultKeychain } from '../../src/registry/keychain'
import { appendLegacySignature, legacyTag } from '../../src/sign/legacy-sig'
import { attachBundle } from '../../src/sign/bundle-referrer'
import {
  cosignSignStatement,
  inTotoPayloadType,
  pae,
  simpleSigningPayload
} from '../../src/sign/payload'
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github'
import {
  bundleTlogEntry,
  fakeSigstore,
  type FakeSigstore,
  type RekorAnswer
} from '../helpers/fake-sigstore'
import { build } from '../helpers/pipeline'
import { readBlob, startRegistry, type TestRegistry } from '../helpers/registry'
import { requireTool, skopeoSync } from '../helpers/tools'
import { gitWorkspace } from '../helpers/workspace'

// Fulcio and Rekor cannot be reached from here: @sigstore/mock answers their documented APIs
// in-process (nock patches node:http, which @sigstore/sign uses), as one instance with fixed keys
// whose trusted_root.json verifiers are given. The registry stays real: our client speaks fetch,
// which nock does not intercept.
const fulcio = 'https://fulcio.imprint.test'
const rekor = 'https://rekor.imprint.test'
const identity =
  'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main'
const githubIssuer = 'https://token.actions.githubusercontent.com'

let registry: TestRegistry
let github: FakeGitHub
let idToken: string
let sigstore: FakeSigstore
/** The fake instance's trusted_root.json, as cosign's --trusted-root takes it. */
let trustedRoot: string
beforeAll(async () => {
  registry = await startRegistry()
  github = await startFakeGitHub()
  sigstore = await fakeSigstore({ fulcio, rekor })
  trustedRoot = join(mkdtempSync(join(tmpdir(), 'imprint-root-')), 'root.json')
  writeFileSync(trustedRoot, JSON.stringify(sigstore.trustedRoot))
  const b64 = (o: object) =>
    Buffer.from(JSON.stringify(o)).toString('base64url')
  const now = Math.floor(Date.now() / 1000)
  // An unsigned GitHub-style OIDC token, as the mock Fulcio accepts (it does not check signatures).
  idToken = `${b64({ alg: 'none' })}.${b64({
    iss: githubIssuer,
    sub: identity,
    aud: 'sigstore',
    iat: now,
    exp: now + 600
  })}.`
})
afterAll(async () => {
  await registry?.stop()
  await github?.close()
})

/** `imprint verify` of the built CLI, keyless. */
function verifyCli(reference: string, ...options: string[]) {
  return spawnSync(
    process.execPath,
    [resolve('dist/cli/index.js'), 'verify', ...options, reference],
    { encoding: 'utf8' }
  )
}

/** A registry manifest, parsed. */
function raw(reference: string) {
  return JSON.parse(
    skopeoSync(
      'inspect',
      '--tls-verify=false',
      '--raw',
      `docker://${reference}`
    )
  )
}

describe('keyless signing', () => {
  const keylessEnv = (extra: Record<string, string> = {}) => ({
    HOME: process.env.HOME,
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_API_URL: github.url,
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    SIGSTORE_ID_TOKEN: idToken,
    SIGSTORE_FULCIO_URL: fulcio,
    SIGSTORE_REKOR_URL: rekor,
    SIGSTORE_TRUSTED_ROOT: trustedRoot,
    ...extra
  })
  let ws: { dir: string; sha: string }
  let digest: Digest | undefined
  const inputs = () => ({
    image: `${registry.host}/acme/keyless`,
    base: 'scratch',
    layers: 'app:/app',
    sign: 'keyless',
    'working-directory': ws.dir,
    tags: 'v1',
    'github-token': 'ghs_attest'
  })

  it('signs with a Fulcio certificate for the workflow, witnessed by Rekor, in both formats', async () => {
    // One certificate for the run, and a log entry for each of the four signatures (simple
    // signing, cosign sign bundle, provenance, SBOM).
    sigstore.serve({ certificates: 1, entries: 4 })
    ws = gitWorkspace({ 'app/a.txt': 'keyless\n' })
    const result = await build(inputs(), {
      env: keylessEnv({ GITHUB_SHA: ws.sha })
    })
    digest = result.digest
    expect(result.signatures).toHaveLength(1)
    expect(result.signatures[0].identity).toBe(identity)
    // The provenance and the SBOM also went to the repository's attestations, as actions/attest
    // stores them, each the very bundle the registry holds.
    expect(github.attestations.map(a => a.repository)).toEqual([
      'acme/app',
      'acme/app'
    ])
    const stored = github.attestations.map(a => {
      const bundle = a.bundle as {
        dsseEnvelope: { payload: string }
        verificationMaterial: { certificate?: unknown }
      }
      expect(bundle.verificationMaterial.certificate).toBeDefined()
      return JSON.parse(
        Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString()
      ).predicateType
    })
    expect(stored.sort()).toEqual([
      'https://cyclonedx.org/bom',
      'https://slsa.dev/provenance/v1'
    ])

    // The legacy .sig layer: openssl verifies the signature with the certificate's key, and the
    // certificate names the workflow; the Rekor SET annotation is there for cosign v2.
    const hex = result.digest.slice(7)
    const manifest = JSON.parse(
      skopeoSync(
        'inspect',
        '--tls-verify=false',
        '--raw',
        `docker://${registry.host}/acme/keyless:sha256-${hex}.sig`
      )
    )
    const layer = manifest.layers[0]
    const certificatePem = layer.annotations['dev.sigstore.cosign/certificate']
    expect(new X509Certificate(certificatePem).subjectAltName).toContain(
      identity
    )
    const bundle = JSON.parse(layer.annotations['dev.sigstore.cosign/bundle'])
    expect(Object.keys(bundle.Payload).sort()).toEqual([
      'body',
      'integratedTime',
      'logID',
      'logIndex'
    ])
    expect(typeof bundle.Payload.integratedTime).toBe('number')
    // The SET is Rekor's signature over the RFC 8785 form of Payload (sorted keys, no spaces),
    // which is what containers/image checks with rekorPublicKeyPath.
    const canonical = `{"body":${JSON.stringify(bundle.Payload.body)},"integratedTime":${bundle.Payload.integratedTime},"logID":${JSON.stringify(bundle.Payload.logID)},"logIndex":${bundle.Payload.logIndex}}`
    expect(
      cryptoVerify(
        'sha256',
        Buffer.from(canonical),
        sigstore.rekorPublicKey,
        Buffer.from(bundle.SignedEntryTimestamp, 'base64')
      )
    ).toBe(true)
    const dir = mkdtempSync(join(tmpdir(), 'imprint-keyless-'))
    writeFileSync(join(dir, 'cert.pem'), certificatePem)
    const pub = execFileSync(
      requireTool('openssl'),
      ['x509', '-in', join(dir, 'cert.pem'), '-pubkey', '-noout'],
      { encoding: 'utf8' }
    )
    writeFileSync(join(dir, 'pub.pem'), pub)
    writeFileSync(
      join(dir, 'payload'),
      await readBlob(registry, 'acme/keyless', layer.digest)
    )
    writeFileSync(
      join(dir, 'sig'),
      Buffer.from(
        layer.annotations['dev.cosignproject.cosign/signature'],
        'base64'
      )
    )
    const verified = execFileSync(
      requireTool('openssl'),
      [
        'dgst',
        '-sha256',
        '-verify',
        join(dir, 'pub.pem'),
        '-signature',
        join(dir, 'sig'),
        join(dir, 'payload')
      ],
      {
        encoding: 'utf8'
      }
    )
    expect(verified.trim()).toBe('Verified OK')

    // The v0.3 bundles carry the certificate, not a key hint.
    const index = JSON.parse(
      skopeoSync(
        'inspect',
        '--tls-verify=false',
        '--raw',
        `docker://${registry.host}/acme/keyless:sha256-${hex}`
      )
    )
    expect(index.manifests).toHaveLength(3)
    const referrer = JSON.parse(
      execFileSync(
        requireTool('skopeo'),
        [
          'inspect',
          '--tls-verify=false',
          '--raw',
          `docker://${registry.host}/acme/keyless@${index.manifests[0].digest}`
        ],
        {
          encoding: 'utf8'
        }
      )
    )
    const signed = JSON.parse(
      (
        await readBlob(registry, 'acme/keyless', referrer.layers[0].digest)
      ).toString()
    )
    expect(signed.mediaType).toBe(
      'application/vnd.dev.sigstore.bundle.v0.3+json'
    )
    const certificate = new X509Certificate(
      Buffer.from(signed.verificationMaterial.certificate.rawBytes, 'base64')
    )
    expect(certificate.subjectAltName).toContain(identity)
    expect(signed.verificationMaterial.tlogEntries).toHaveLength(1)

    // imprint verify checks the keyless signatures as cosign does: the certificate chains to the
    // trusted root's Fulcio CA with an SCT of its CT log, the signature is in its Rekor log, and
    // the certificate names exactly the identity and the OIDC issuer.
    const image = `${registry.host}/acme/keyless@${result.digest}`
    const ok = verifyCli(
      image,
      '--certificate-identity',
      identity,
      '--trusted-root',
      trustedRoot
    )
    expect(ok.stdout).toContain(
      'legacy .sig (cosign v2, containers/image): 1 of 1 verified'
    )
    expect(ok.stdout).toContain('bundle referrers (cosign v3): 3 of 3 verified')
    expect(ok.stdout).toContain('legacy .att (cosign v2): 2 of 2 verified')
    expect(ok.status).toBe(0)
    const sbom = verifyCli(
      image,
      '--certificate-identity',
      identity,
      '--certificate-oidc-issuer',
      githubIssuer,
      '--trusted-root',
      trustedRoot,
      '--type',
      'sbom'
    )
    expect(sbom.status).toBe(0)
    expect(JSON.parse(sbom.stdout).predicateType).toBe(
      'https://cyclonedx.org/bom'
    )
    const other = verifyCli(
      image,
      '--certificate-identity',
      'https://github.com/evil/fork/.github/workflows/x.yml@refs/heads/main',
      '--trusted-root',
      trustedRoot
    )
    expect(other.stdout).toContain('0 of 1 verified')
    expect(other.status).toBe(1)
    const issuer = verifyCli(
      image,
      '--certificate-identity',
      identity,
      '--certificate-oidc-issuer',
      'https://accounts.google.com',
      '--trusted-root',
      trustedRoot
    )
    expect(issuer.stdout).toContain('0 of 1 verified')
    expect(issuer.stderr).toContain(
      'from the issuer https://accounts.google.com'
    )
    expect(issuer.status).toBe(1)
    // Without --trusted-root, the public-good root: this instance's CA is not in it.
    const publicGood = verifyCli(image, '--certificate-identity', identity)
    expect(publicGood.stdout).toContain('0 of 1 verified')
    expect(publicGood.stderr).toContain('Sigstore public-good, built in')
    expect(publicGood.status).toBe(1)
  })

  it('a re-run recognises its own signature and attestations by identity: no second .sig layer, SBOM or GitHub attestation', async () => {
    if (!digest) throw new Error('the first test signs the image')
    const image = digest
    const counts = () => ({
      sig: raw(`${registry.host}/acme/keyless:${legacyTag(image)}`).layers
        .length,
      att: raw(`${registry.host}/acme/keyless:${legacyTag(image, 'att')}`)
        .layers.map(
          (l: { annotations: Record<string, string> }) =>
            l.annotations.predicateType
        )
        .sort(),
      referrers: raw(`${registry.host}/acme/keyless:sha256-${image.slice(7)}`)
        .manifests.length,
      github: github.attestations.length
    })
    const before = counts()
    expect(before.sig).toBe(1)
    expect(before.att).toEqual([
      'https://cyclonedx.org/bom',
      'https://slsa.dev/provenance/v1'
    ])

    // The same run again: a certificate (to know who this run is), and not one Rekor entry.
    sigstore.serve({ certificates: 1, entries: 0 })
    const again = await build(inputs(), {
      env: keylessEnv({ GITHUB_SHA: ws.sha })
    })
    expect(again.digest).toBe(image)
    expect(again.signatures[0].written).toEqual({
      legacy: false,
      bundle: false,
      provenance: false
    })
    expect(again.signatures[0].attestations.map(a => a.written)).toEqual([
      false,
      false
    ])
    expect(counts()).toEqual(before)

    // A re-run attempt is a new invocation: its provenance is new, nothing else.
    sigstore.serve({ certificates: 1, entries: 1 })
    const attempt = await build(inputs(), {
      env: keylessEnv({ GITHUB_SHA: ws.sha, GITHUB_RUN_ATTEMPT: '2' })
    })
    expect(attempt.signatures[0].written).toEqual({
      legacy: false,
      bundle: false,
      provenance: true
    })
    const after = counts()
    expect(after.sig).toBe(1)
    expect(after.att).toEqual([
      'https://cyclonedx.org/bom',
      'https://slsa.dev/provenance/v1',
      'https://slsa.dev/provenance/v1'
    ])
    expect(after.referrers).toBe(before.referrers + 1)
    expect(after.github).toBe(before.github + 1)
  })

  it('imprint verify rejects a self-signed certificate naming the workflow, even with a genuine Rekor entry', async () => {
    // An image nobody signed, then a forger's .sig: a P-256 key, a self-signed certificate with
    // the workflow's URI and GitHub's issuer, the payload signed, and logged in the real Rekor.
    const wsForged = gitWorkspace({ 'app/a.txt': 'forged\n' })
    const unsigned = await build(
      {
        image: `${registry.host}/acme/forged`,
        base: 'scratch',
        layers: 'app:/app',
        sign: 'none',
        'working-directory': wsForged.dir,
        tags: 'v1'
      },
      { env: { HOME: process.env.HOME, GITHUB_SHA: wsForged.sha } }
    )
    const dir = mkdtempSync(join(tmpdir(), 'imprint-forger-'))
    const openssl = requireTool('openssl')
    execFileSync(openssl, [
      'ecparam',
      '-name',
      'prime256v1',
      '-genkey',
      '-noout',
      '-out',
      join(dir, 'key.pem')
    ])
    const issuerHex = Buffer.from(githubIssuer).toString('hex')
    execFileSync(openssl, [
      'req',
      '-x509',
      '-new',
      '-key',
      join(dir, 'key.pem'),
      '-subj',
      '/O=sigstore.dev/CN=sigstore',
      '-days',
      '1',
      '-addext',
      `subjectAltName=URI:${identity}`,
      '-addext',
      `1.3.6.1.4.1.57264.1.1=DER:${issuerHex}`,
      '-addext',
      `1.3.6.1.4.1.57264.1.8=ASN1:UTF8String:${githubIssuer}`,
      '-out',
      join(dir, 'cert.pem')
    ])
    const certificatePem = readFileSync(join(dir, 'cert.pem'), 'utf8')
    expect(new X509Certificate(certificatePem).subjectAltName).toBe(
      `URI:${identity}`
    )
    const repo = parseReference(`${registry.host}/acme/forged`).repository
    const payload = simpleSigningPayload(repo, unsigned.digest)
    const signature = cryptoSign(
      'sha256',
      payload,
      readFileSync(join(dir, 'key.pem'), 'utf8')
    ).toString('base64')
    const answer: RekorAnswer = await sigstore.log({
      apiVersion: '0.0.1',
      kind: 'hashedrekord',
      spec: {
        data: {
          hash: {
            algorithm: 'sha256',
            value: createHash('sha256').update(payload).digest('hex')
          }
        },
        signature: {
          content: signature,
          publicKey: { content: Buffer.from(certificatePem).toString('base64') }
        }
      }
    })
    const entry = Object.values(answer)[0]
    const client = new RegistryClient(Registry.parse(registry.host), {
      keychain: defaultKeychain({ env: {}, repositories: [repo] })
    })
    await appendLegacySignature(
      client,
      repo,
      unsigned.digest,
      {
        payload,
        annotations: {
          'dev.cosignproject.cosign/signature': signature,
          'dev.sigstore.cosign/certificate': certificatePem,
          'dev.sigstore.cosign/chain': '',
          'dev.sigstore.cosign/bundle': JSON.stringify({
            SignedEntryTimestamp: entry.verification.signedEntryTimestamp,
            Payload: {
              body: entry.body,
              integratedTime: entry.integratedTime,
              logIndex: entry.logIndex,
              logID: entry.logID
            }
          })
        }
      },
      () => false
    )
    // And a cosign v3 signature bundle by the same certificate, its DSSE entry logged too.
    const statement = cosignSignStatement(unsigned.digest)
    const envelope = {
      payloadType: inTotoPayloadType,
      payload: statement.toString('base64'),
      signatures: [
        {
          sig: cryptoSign(
            'sha256',
            pae(inTotoPayloadType, statement),
            readFileSync(join(dir, 'key.pem'), 'utf8')
          ).toString('base64')
        }
      ]
    }
    const dsse = await sigstore.log({
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: {
        proposedContent: {
          envelope: JSON.stringify(envelope),
          verifiers: [Buffer.from(certificatePem).toString('base64')]
        }
      }
    })
    await attachBundle(
      client,
      repo,
      { mediaType: unsigned.mediaType, digest: unsigned.digest, size: 0 },
      {
        mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        verificationMaterial: {
          certificate: {
            rawBytes: new X509Certificate(certificatePem).raw.toString('base64')
          },
          tlogEntries: [bundleTlogEntry(dsse)],
          timestampVerificationData: {}
        },
        dsseEnvelope: envelope
      },
      'https://sigstore.dev/cosign/sign/v1',
      '2026-01-01T00:00:00Z'
    )
    const forged = verifyCli(
      `${repo}@${unsigned.digest}`,
      '--certificate-identity',
      identity,
      '--trusted-root',
      trustedRoot
    )
    // (Before, both verified by the name alone, and verify succeeded.)
    expect(forged.stdout).toContain(
      'legacy .sig (cosign v2, containers/image): 0 of 1 verified'
    )
    expect(forged.stdout).toContain(
      'bundle referrers (cosign v3): 0 of 1 verified'
    )
    expect(forged.stderr).toContain(`certificate for ${identity}`)
    expect(forged.status).toBe(1)
  })

  it('on a private repository, auto does not sign keyless (the log is public); keyless says so and signs', async () => {
    const event = join(mkdtempSync(join(tmpdir(), 'imprint-event-')), 'e.json')
    writeFileSync(
      event,
      JSON.stringify({ repository: { private: true, visibility: 'private' } })
    )
    const ws = gitWorkspace({ 'app/a.txt': 'private\n' })
    const lines: string[] = []
    const log = {
      debug: () => {},
      info: (m: string) => lines.push(`info: ${m}`),
      warning: (m: string) => lines.push(`warning: ${m}`),
      group: <T>(_name: string, fn: () => Promise<T>) => fn()
    }
    const env = {
      HOME: process.env.HOME,
      GITHUB_SHA: ws.sha,
      GITHUB_EVENT_PATH: event,
      SIGSTORE_ID_TOKEN: idToken,
      SIGSTORE_FULCIO_URL: fulcio,
      SIGSTORE_REKOR_URL: rekor
    }
    const inputs = {
      image: `${registry.host}/acme/private`,
      base: 'scratch',
      layers: 'app:/app',
      'working-directory': ws.dir
    }
    // No mock is registered for this run: a request to Fulcio or Rekor would fail it.
    const auto = await build({ ...inputs, tags: 'auto' }, { env, log })
    expect(auto.pushed).toBe(true)
    expect(auto.signatures).toEqual([])
    expect(lines.join('\n')).toMatch(
      /info: not signed: this repository is private.*public Rekor log/
    )

    sigstore.serve({ certificates: 1, entries: 4 })
    lines.length = 0
    const keyless = await build(
      { ...inputs, tags: 'keyless', sign: 'keyless' },
      { env, log }
    )
    expect(keyless.signatures).toHaveLength(1)
    expect(lines.join('\n')).toMatch(
      /warning: sign: keyless on a private repository: the public Rekor log will show/
    )
  })
})
