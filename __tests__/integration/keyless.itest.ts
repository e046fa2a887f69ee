import { execFileSync, spawnSync } from 'node:child_process'
import {
  generateKeyPairSync,
  verify as cryptoVerify,
  X509Certificate
} from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mockFulcio, mockRekor } from '@sigstore/mock'
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github'
import { build } from '../helpers/pipeline'
import { readBlob, startRegistry, type TestRegistry } from '../helpers/registry'
import { requireTool, skopeoSync } from '../helpers/tools'
import { gitWorkspace } from '../helpers/workspace'

// Fulcio and Rekor cannot be reached from here: @sigstore/mock answers their documented APIs
// in-process (nock patches node:http, which @sigstore/sign uses). The registry stays real: our
// client speaks fetch, which nock does not intercept.
const fulcio = 'https://fulcio.imprint.test'
const rekor = 'https://rekor.imprint.test'
const identity =
  'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main'

let registry: TestRegistry
let github: FakeGitHub
let idToken: string
beforeAll(async () => {
  registry = await startRegistry()
  github = await startFakeGitHub()
  const b64 = (o: object) =>
    Buffer.from(JSON.stringify(o)).toString('base64url')
  const now = Math.floor(Date.now() / 1000)
  // An unsigned GitHub-style OIDC token, as the mock Fulcio accepts (it does not check signatures).
  idToken = `${b64({ alg: 'none' })}.${b64({
    iss: 'https://token.actions.githubusercontent.com',
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

describe('keyless signing', () => {
  it('signs with a Fulcio certificate for the workflow, witnessed by Rekor, in both formats', async () => {
    // One interceptor per request: a certificate and a log entry for each of the four signatures
    // (simple signing, cosign sign bundle, provenance, SBOM).
    const rekorKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    for (let i = 0; i < 4; i++) {
      await mockFulcio({ baseURL: fulcio })
      await mockRekor({ baseURL: rekor, keyPair: rekorKey })
    }
    const ws = gitWorkspace({ 'app/a.txt': 'keyless\n' })
    const result = await build(
      {
        image: `${registry.host}/acme/keyless`,
        base: 'scratch',
        layers: 'app:/app',
        sign: 'keyless',
        'working-directory': ws.dir,
        tags: 'v1',
        'github-token': 'ghs_attest'
      },
      {
        env: {
          HOME: process.env.HOME,
          GITHUB_SHA: ws.sha,
          GITHUB_REPOSITORY: 'acme/app',
          GITHUB_API_URL: github.url,
          SIGSTORE_ID_TOKEN: idToken,
          SIGSTORE_FULCIO_URL: fulcio,
          SIGSTORE_REKOR_URL: rekor
        }
      }
    )
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
        rekorKey.publicKey,
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

    // imprint verify checks the keyless signatures by the identity their certificates name.
    const verify = (id: string) =>
      spawnSync(
        process.execPath,
        [
          resolve('dist/cli/index.js'),
          'verify',
          '--certificate-identity',
          id,
          `${registry.host}/acme/keyless@${result.digest}`
        ],
        {
          encoding: 'utf8'
        }
      )
    const ok = verify(identity)
    expect(ok.stdout).toContain(
      'legacy .sig (cosign v2, containers/image): 1 of 1 verified'
    )
    expect(ok.status).toBe(0)
    const other = verify(
      'https://github.com/evil/fork/.github/workflows/x.yml@refs/heads/main'
    )
    expect(other.stdout).toContain('0 of 1 verified')
    expect(other.status).toBe(1)
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

    const rekorKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    for (let i = 0; i < 4; i++) {
      await mockFulcio({ baseURL: fulcio })
      await mockRekor({ baseURL: rekor, keyPair: rekorKey })
    }
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
