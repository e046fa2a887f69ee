import { execFile, spawnSync } from 'node:child_process'
import {
  createPublicKey,
  generateKeyPairSync,
  type KeyObject
} from 'node:crypto'
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { bundleFromJSON } from '@sigstore/bundle'
import { TrustedRoot } from '@sigstore/protobuf-specs'
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify'
import { runAction } from '../helpers/action'
import { pushBusyboxBase } from '../helpers/busybox-base'
import { readBlob, startRegistry, type TestRegistry } from '../helpers/registry'
import { requireTool } from '../helpers/tools'
import { generateCosignKeys } from '../helpers/keys'
import { gitWorkspace } from '../helpers/workspace'

const run = promisify(execFile)
// Registry and CycloneDX JSON are checked field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>

let registry: TestRegistry
const keys = mkdtempSync(join(tmpdir(), 'imprint-sbom-keys-'))
const password = 'sbom key password'
let publicKey: KeyObject
let base = ''
let baseDigest = ''

// What a Debian base holds for dpkg: a status database (one package removed, whose files are
// gone, so it is not in the image) and DEP-5 copyright files.
const dpkgStatus = `Package: libc6
Status: install ok installed
Priority: optional
Section: libs
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u4
Description: GNU C Library: Shared libraries

Package: base-files
Status: install ok installed
Architecture: amd64
Version: 12.4+deb12u5
Description: Debian base system miscellaneous files

Package: removed-tool
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1
Description: no longer installed
`
const baseFiles = {
  'etc/os-release':
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n',
  'var/lib/dpkg/status': dpkgStatus,
  'usr/share/doc/libc6/copyright':
    'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: Free Software Foundation\nLicense: LGPL-2.1\n'
}

// The application: an npm dependency, a Python distribution, and a Go executable (Debian's
// kubectl, built in module mode) — one ecosystem each, read from the built layers.
const app = {
  'app/node_modules/left-pad/package.json': JSON.stringify({
    name: 'left-pad',
    version: '1.3.0',
    license: 'WTFPL'
  }),
  'app/node_modules/@scope/util/package.json': JSON.stringify({
    name: '@scope/util',
    version: '2.0.0-rc.1',
    license: 'MIT'
  }),
  'app/site-packages/requests-2.31.0.dist-info/METADATA':
    'Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nLicense: Apache 2.0\n\nbody\n',
  'app/server.js': 'console.log("hi")\n'
}

beforeAll(async () => {
  registry = await startRegistry()
  generateCosignKeys(keys, password)
  publicKey = createPublicKey(readFileSync(join(keys, 'cosign.pub'), 'utf8'))
  base = `${registry.host}/acme/debian-like:12`
  baseDigest = await pushBusyboxBase(base, { files: baseFiles })
})
afterAll(async () => registry?.stop())

async function skopeoRaw(reference: string): Promise<Json> {
  const { stdout } = await run(requireTool('skopeo'), [
    'inspect',
    '--tls-verify=false',
    '--raw',
    `docker://${reference}`
  ])
  return JSON.parse(stdout)
}
async function skopeoConfig(reference: string): Promise<Json> {
  const { stdout } = await run(requireTool('skopeo'), [
    'inspect',
    '--tls-verify=false',
    '--config',
    `docker://${reference}`
  ])
  return JSON.parse(stdout)
}
function paeOf(type: string, body: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${body.length} `),
    body
  ])
}
/** openssl's verdict on `signature` over `data` with `key`. */
function opensslVerify(
  key: KeyObject,
  data: Buffer,
  signature: Buffer
): string {
  const dir = mkdtempSync(join(tmpdir(), 'imprint-openssl-'))
  writeFileSync(
    join(dir, 'pub.pem'),
    key.export({ type: 'spki', format: 'pem' })
  )
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
    { encoding: 'utf8' }
  )
  return (result.stdout + result.stderr).trim()
}
const emptyRoot = TrustedRoot.fromJSON({
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [],
  ctlogs: [],
  certificateAuthorities: [],
  timestampAuthorities: []
})
const verifierFor = (key: KeyObject) =>
  new Verifier(
    toTrustMaterial(emptyRoot, () => ({
      publicKey: key,
      validFor: () => true
    })),
    { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }
  )
const wrongKey = () =>
  generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey

/** A purl component as the purl spec (and packageurl-js) encode it: ':' needs no escaping. */
const purlEncode = (text: string) =>
  encodeURIComponent(text).replace(/%3A/g, ':')

/** Each component's locations, from the `imprint:location:N:layer|path` properties. */
function locationsOf(component: Json): { layer: string; path: string }[] {
  const props: Record<string, string> = Object.fromEntries(
    (component.properties ?? []).map((p: Json) => [p.name, p.value])
  )
  const locations: { layer: string; path: string }[] = []
  for (let i = 0; props[`imprint:location:${i}:path`]; i++)
    locations.push({
      layer: props[`imprint:location:${i}:layer`],
      path: props[`imprint:location:${i}:path`]
    })
  return locations
}

function verifyCli(reference: string, keyFile: string, type: string) {
  return spawnSync(
    process.execPath,
    [
      resolve('dist/cli/index.js'),
      'verify',
      '--key',
      keyFile,
      '--type',
      type,
      reference
    ],
    { encoding: 'utf8' }
  )
}

describe('a signed SBOM of what is in the image', () => {
  const repo = 'acme/sbom'
  let digest = ''
  let document: Json = {}
  let ws: { dir: string; sha: string }

  it('lists the base’s Debian packages and the npm, Python and Go packages of the built layers, each where it was found', async () => {
    ws = gitWorkspace(app)
    // The Go executable is not committed: 57 MB in git would slow every clone of the fixture.
    mkdirSync(join(ws.dir, 'tools'))
    copyFileSync(
      realpathSync(requireTool('kubectl')),
      join(ws.dir, 'tools', 'kubectl')
    )
    const result = runAction(
      {
        image: `${registry.host}/${repo}`,
        base,
        layers: 'app:/app\ntools:/usr/local/bin',
        'signing-key': readFileSync(join(keys, 'cosign.key'), 'utf8'),
        'signing-key-password': password
      },
      {
        cwd: ws.dir,
        env: {
          GITHUB_SHA: ws.sha,
          GITHUB_REPOSITORY: 'acme/sbom',
          GITHUB_REF: 'refs/heads/main',
          GITHUB_EVENT_NAME: 'push'
        }
      }
    )
    expect(result.stdout).not.toContain('::error')
    expect(result.status).toBe(0)
    digest = result.outputs.digest
    // The sbom output is the CycloneDX document's path; the summary counts its packages.
    const path = result.outputs.sbom
    expect(path).toMatch(/imprint-sbom-[0-9a-f]{12}\.cdx\.json$/)
    document = JSON.parse(readFileSync(path, 'utf8'))
    expect(document.bomFormat).toBe('CycloneDX')
    expect(document.specVersion).toBe('1.6')
    expect(document.metadata.component.version).toBe(digest)
    expect(document.metadata.component.purl).toBe(
      `pkg:oci/sbom@${purlEncode(digest)}?repository_url=${purlEncode(`${registry.host}/${repo}`)}`
    )

    const config = await skopeoConfig(`${registry.host}/${repo}@${digest}`)
    const [baseLayer, appLayer, toolsLayer] = config.rootfs.diff_ids
    const byPurl = new Map<string, Json>(
      document.components.map((c: Json) => [c.purl ?? c['bom-ref'], c])
    )
    const libc = byPurl.get(
      'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc'
    )
    expect(libc).toBeDefined()
    expect(libc!.licenses).toEqual([
      { license: { id: 'LGPL-2.1', acknowledgement: 'declared' } }
    ])
    expect(locationsOf(libc!)).toEqual([
      { layer: baseLayer, path: 'var/lib/dpkg/status' }
    ])
    expect(
      byPurl.has(
        'pkg:deb/debian/base-files@12.4%2Bdeb12u5?arch=amd64&distro=debian-12'
      )
    ).toBe(true)
    expect([...byPurl.keys()].some(p => p.includes('removed-tool'))).toBe(false)
    expect(byPurl.get('operating-system:debian@12')?.type).toBe(
      'operating-system'
    )

    expect(locationsOf(byPurl.get('pkg:npm/left-pad@1.3.0')!)).toEqual([
      { layer: appLayer, path: 'app/node_modules/left-pad/package.json' }
    ])
    expect(byPurl.get('pkg:npm/left-pad@1.3.0')!.licenses).toEqual([
      { license: { id: 'WTFPL', acknowledgement: 'declared' } }
    ])
    expect(byPurl.has('pkg:npm/%40scope/util@2.0.0-rc.1')).toBe(true)
    expect(locationsOf(byPurl.get('pkg:pypi/requests@2.31.0')!)[0]).toEqual({
      layer: appLayer,
      path: 'app/site-packages/requests-2.31.0.dist-info/METADATA'
    })
    // kubectl's own module and its dependencies, from the build info in the executable.
    const goPackages = [...byPurl.values()].filter(c =>
      String(c.purl).startsWith('pkg:golang/')
    )
    expect(goPackages.length).toBeGreaterThan(20)
    expect(goPackages.map(c => c.name)).toEqual(
      expect.arrayContaining(['stdlib', 'k8s.io/client-go'])
    )
    for (const c of goPackages)
      expect(locationsOf(c)).toContainEqual({
        layer: toolsLayer,
        path: 'usr/local/bin/kubectl'
      })
    // The base, by digest, as the image's dependency.
    expect(
      byPurl.get(
        `pkg:oci/debian-like@${purlEncode(baseDigest)}?repository_url=${purlEncode(`${registry.host}/acme/debian-like`)}`
      )?.type
    ).toBe('container')
  })

  it('attaches it as a signed in-toto statement (bundle referrer) that openssl and @sigstore/verify accept, naming the image', async () => {
    const hex = digest.slice('sha256:'.length)
    const index = await skopeoRaw(`${registry.host}/${repo}:sha256-${hex}`)
    const entry = index.manifests.find(
      (m: Json) =>
        m.annotations['dev.sigstore.bundle.predicateType'] ===
        'https://cyclonedx.org/bom'
    )
    expect(entry.artifactType).toBe(
      'application/vnd.dev.sigstore.bundle.v0.3+json'
    )
    const referrer = await skopeoRaw(`${registry.host}/${repo}@${entry.digest}`)
    expect(referrer.subject.digest).toBe(digest)
    const bundle = JSON.parse(
      (await readBlob(registry, repo, referrer.layers[0].digest)).toString()
    )
    const entity = toSignedEntity(bundleFromJSON(bundle))
    expect(verifierFor(publicKey).verify(entity).key).toBeDefined()
    expect(() => verifierFor(wrongKey()).verify(entity)).toThrow()

    const envelope = bundle.dsseEnvelope
    expect(envelope.payloadType).toBe('application/vnd.in-toto+json')
    const body = Buffer.from(envelope.payload, 'base64')
    const sig = Buffer.from(envelope.signatures[0].sig, 'base64')
    expect(
      opensslVerify(publicKey, paeOf(envelope.payloadType, body), sig)
    ).toBe('Verified OK')
    expect(
      opensslVerify(wrongKey(), paeOf(envelope.payloadType, body), sig)
    ).toMatch(/Verification failure/)
    const statement = JSON.parse(body.toString())
    expect(statement._type).toBe('https://in-toto.io/Statement/v1')
    expect(statement.predicateType).toBe('https://cyclonedx.org/bom')
    expect(statement.subject).toEqual([
      { name: `${registry.host}/${repo}`, digest: { sha256: hex } }
    ])
    // What was signed is the document the sbom output points at.
    expect(statement.predicate).toEqual(document)
  })

  it('writes the cosign v2 .att form of the SBOM and of the provenance, each verifying', async () => {
    const hex = digest.slice('sha256:'.length)
    const att = await skopeoRaw(`${registry.host}/${repo}:sha256-${hex}.att`)
    expect(att.layers).toHaveLength(2)
    const types: string[] = []
    for (const layer of att.layers) {
      expect(layer.mediaType).toBe('application/vnd.dsse.envelope.v1+json')
      const envelope = JSON.parse(
        (await readBlob(registry, repo, layer.digest)).toString()
      )
      const body = Buffer.from(envelope.payload, 'base64')
      const sig = Buffer.from(envelope.signatures[0].sig, 'base64')
      expect(
        opensslVerify(publicKey, paeOf(envelope.payloadType, body), sig)
      ).toBe('Verified OK')
      const statement = JSON.parse(body.toString())
      expect(statement.subject[0].digest).toEqual({ sha256: hex })
      expect(layer.annotations.predicateType).toBe(statement.predicateType)
      types.push(statement.predicateType)
    }
    expect(types.sort()).toEqual([
      'https://cyclonedx.org/bom',
      'https://slsa.dev/provenance/v1'
    ])
  })

  it('imprint verify --type sbom prints the verified statement, and refuses another key', () => {
    const reference = `${registry.host}/${repo}@${digest}`
    const ok = verifyCli(reference, join(keys, 'cosign.pub'), 'sbom')
    expect(ok.status).toBe(0)
    const statement = JSON.parse(ok.stdout)
    expect(statement.predicate).toEqual(document)
    expect(ok.stderr).toContain('bundle referrers (cosign v3): 3 of 3 verified')

    const provenance = verifyCli(
      reference,
      join(keys, 'cosign.pub'),
      'provenance'
    )
    expect(provenance.status).toBe(0)
    expect(JSON.parse(provenance.stdout).predicateType).toBe(
      'https://slsa.dev/provenance/v1'
    )

    const other = join(keys, 'other.pub')
    writeFileSync(other, wrongKey().export({ type: 'spki', format: 'pem' }))
    const bad = verifyCli(reference, other, 'sbom')
    expect(bad.status).toBe(1)
    expect(bad.stdout).toBe('')
    expect(bad.stderr).toContain(
      `error: no sbom attestation of ${reference} verifies with the key ${other}`
    )
  })

  it('an image built on this one lists the packages of its layers, and references its SBOM by digest as well', () => {
    const next = gitWorkspace({
      'extra/node_modules/b/package.json': '{"name":"b","version":"1.0.0"}'
    })
    const result = runAction(
      {
        image: `${registry.host}/acme/derived`,
        base: `${registry.host}/${repo}@${digest}`,
        layers: 'extra:/extra',
        'signing-key': readFileSync(join(keys, 'cosign.key'), 'utf8'),
        'signing-key-password': password
      },
      { cwd: next.dir, env: { GITHUB_SHA: next.sha } }
    )
    expect(result.stdout).not.toContain('::error')
    expect(result.status).toBe(0)
    const derived = JSON.parse(readFileSync(result.outputs.sbom, 'utf8'))
    const purls = derived.components.map((c: Json) => c.purl)
    expect(purls).toContain('pkg:npm/b@1.0.0')
    // The base's packages are read from its layers (scanners do not follow the reference): its
    // own base's Debian packages and distribution, and what its build added.
    expect(purls).toContain(
      'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc'
    )
    expect(purls).toContain('pkg:npm/left-pad@1.3.0')
    expect(purls).toContain('pkg:pypi/requests@2.31.0')
    expect(
      purls.filter((p: string) => p?.startsWith('pkg:golang/')).length
    ).toBeGreaterThan(20)
    expect(
      derived.components.some((c: Json) => c.type === 'operating-system')
    ).toBe(true)
    expect(result.stdout).toContain("the base's own SBOM also referenced")
    // Its own SBOM attestation is referenced with its hash, besides.
    const baseComponent = derived.components.find(
      (c: Json) => c.type === 'container'
    )
    expect(baseComponent.version).toBe(digest)
    const [reference] = baseComponent.externalReferences
    expect(reference.type).toBe('bom')
    expect(reference.url).toMatch(
      new RegExp(`^oci://${registry.host}/${repo}@sha256:[0-9a-f]{64}$`)
    )
    expect(reference.hashes).toEqual([
      { alg: 'SHA-256', content: reference.url.split('@sha256:')[1] }
    ])
  })
})
