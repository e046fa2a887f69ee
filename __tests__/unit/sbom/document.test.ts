import { createHash } from 'node:crypto'
import { describe, expect, it } from '@jest/globals'
import * as Models from '@cyclonedx/cyclonedx-library/Models'
import { Version } from '@cyclonedx/cyclonedx-library/Spec'
import { JsonStrictValidator } from '@cyclonedx/cyclonedx-library/Validation'
import { catalog } from '../../../src/sbom/catalog'
import {
  cycloneDxBom,
  cycloneDxLicenses,
  sbomStatement,
  type SbomInput
} from '../../../src/sbom/document'
import { fileSource } from '../../../src/sbom/sources'
import type { Package } from '../../../src/sbom/types'

const digest = 'sha256:' + createHash('sha256').update('image').digest('hex')
const baseDigest = 'sha256:' + createHash('sha256').update('base').digest('hex')
const created = new Date('2026-11-27T10:00:00Z')
const base = 'sha256:' + 'a'.repeat(64)
const app = 'sha256:' + 'b'.repeat(64)

const packages: Package[] = [
  {
    type: 'npm',
    name: '@sigstore/sign',
    version: '4.1.0',
    purl: 'pkg:npm/%40sigstore/sign@4.1.0',
    licenses: ['Apache-2.0'],
    locations: [
      { layer: app, path: 'app/node_modules/@sigstore/sign/package.json' },
      {
        layer: app,
        path: 'app/node_modules/x/node_modules/@sigstore/sign/package.json'
      }
    ]
  },
  {
    type: 'maven',
    name: 'guava',
    group: 'com.google.guava',
    version: '31.1-jre',
    purl: 'pkg:maven/com.google.guava/guava@31.1-jre',
    licenses: ['http://www.apache.org/licenses/LICENSE-2.0.txt'],
    locations: [{ layer: app, path: 'app/lib/guava.jar' }]
  },
  {
    type: 'pypi',
    name: 'attrs',
    version: '26.1.0',
    purl: 'pkg:pypi/attrs@26.1.0',
    licenses: ['mit OR apache-2.0'],
    locations: [
      { layer: app, path: 'usr/lib/python3/attrs-26.1.0.dist-info/METADATA' }
    ]
  },
  {
    type: 'golang',
    name: 'stdlib',
    version: '1.23.8',
    purl: 'pkg:golang/stdlib@1.23.8',
    locations: [{ layer: app, path: 'usr/bin/app' }]
  }
]

function input(extra: Partial<SbomInput> = {}): SbomInput {
  return {
    image: { name: 'ghcr.io/acme/app', digest },
    packages,
    created,
    tool: { name: 'imprint', version: '0.1.0' },
    ...extra
  }
}

async function validate(json: string): Promise<unknown> {
  return new JsonStrictValidator(Version.v1dot6).validate(json)
}

describe('CycloneDX document', () => {
  it('is valid CycloneDX 1.6 for the official JSON schema, with this machine’s dpkg database in it', async () => {
    const scanned = await catalog([
      await fileSource('/var/lib/dpkg/status', 'var/lib/dpkg/status', base),
      await fileSource('/etc/os-release', 'etc/os-release', base)
    ])
    const json = cycloneDxBom(
      input({
        packages: [...scanned.packages, ...packages],
        distro: scanned.distro
      })
    )
    expect(await validate(json)).toBeNull()
    // The validator does reject what the schema does not allow.
    expect(await validate(json.replace('"library"', '"libary"'))).not.toBeNull()
    const bom = JSON.parse(json)
    expect(bom).toMatchObject({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      metadata: {
        timestamp: '2026-11-27T10:00:00.000Z',
        tools: {
          components: [
            { type: 'application', name: 'imprint', version: '0.1.0' }
          ]
        },
        component: {
          type: 'container',
          name: 'ghcr.io/acme/app',
          version: digest,
          purl: `pkg:oci/app@${digest}?repository_url=ghcr.io%2Facme%2Fapp`
        }
      }
    })
    expect(bom.serialNumber).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
    )
    expect(
      bom.components.filter((c: { type: string }) => c.type === 'library')
    ).toHaveLength(scanned.packages.length + packages.length)
    expect(
      bom.components.find(
        (c: { type: string }) => c.type === 'operating-system'
      )
    ).toMatchObject({
      name: scanned.distro!.id,
      version: scanned.distro!.versionId
    })
  })

  it('writes locations, group and declared licences of each package', () => {
    const bom = JSON.parse(cycloneDxBom(input()))
    const byName = (name: string) =>
      bom.components.find((c: { name: string }) => c.name === name)
    expect(byName('@sigstore/sign')).toEqual({
      type: 'library',
      name: '@sigstore/sign',
      version: '4.1.0',
      'bom-ref': 'pkg:npm/%40sigstore/sign@4.1.0',
      purl: 'pkg:npm/%40sigstore/sign@4.1.0',
      licenses: [
        { license: { id: 'Apache-2.0', acknowledgement: 'declared' } }
      ],
      properties: [
        { name: 'imprint:location:0:layer', value: app },
        {
          name: 'imprint:location:0:path',
          value: 'app/node_modules/@sigstore/sign/package.json'
        },
        { name: 'imprint:location:1:layer', value: app },
        {
          name: 'imprint:location:1:path',
          value: 'app/node_modules/x/node_modules/@sigstore/sign/package.json'
        }
      ]
    })
    expect(byName('guava')).toMatchObject({
      group: 'com.google.guava',
      licenses: [
        {
          license: {
            name: 'http://www.apache.org/licenses/LICENSE-2.0.txt',
            acknowledgement: 'declared'
          }
        }
      ]
    })
    expect(byName('attrs').licenses).toEqual([
      { expression: 'MIT OR Apache-2.0', acknowledgement: 'declared' }
    ])
    expect(byName('stdlib').licenses).toBeUndefined()
  })

  it('maps declared licences: SPDX ids, one expression, names for the rest', () => {
    const kinds = (declared: string[]) =>
      cycloneDxLicenses(declared).map(l =>
        l instanceof Models.LicenseExpression
          ? `expr:${l.expression}`
          : l instanceof Models.SpdxLicense
            ? `id:${l.id}`
            : `name:${l.name}`
      )
    expect(kinds(['MIT'])).toEqual(['id:MIT'])
    expect(kinds(['mit'])).toEqual(['id:MIT'])
    expect(kinds(['GPL-2.0-or-later WITH Classpath-exception-2.0'])).toEqual([
      'expr:GPL-2.0-or-later WITH Classpath-exception-2.0'
    ])
    expect(kinds(['(MIT OR Apache-2.0) AND BSD-3-Clause'])).toEqual([
      'expr:(MIT OR Apache-2.0) AND BSD-3-Clause'
    ])
    // An expression among others cannot be an `expression` entry in CycloneDX: it becomes a name.
    expect(kinds(['MIT OR Apache-2.0', 'ISC'])).toEqual([
      'name:MIT OR Apache-2.0',
      'id:ISC'
    ])
    expect(kinds(['GPL-2+', 'MIT License', 'GPL-2+'])).toEqual([
      'name:GPL-2+',
      'name:MIT License'
    ])
    expect(kinds(['Foo OR Bar'])).toEqual(['name:Foo OR Bar'])
  })

  it('gives the same bytes for the same input, whatever the order packages come in', () => {
    const one = cycloneDxBom(input())
    expect(cycloneDxBom(input())).toBe(one)
    expect(cycloneDxBom(input({ packages: [...packages].reverse() }))).toBe(one)
    // …and other bytes (and serial number) for another image.
    const other = cycloneDxBom(
      input({ image: { name: 'ghcr.io/acme/app', digest: baseDigest } })
    )
    expect(JSON.parse(other).serialNumber).not.toBe(
      JSON.parse(one).serialNumber
    )
  })

  it('says which layers could not be read, their packages missing', async () => {
    const json = cycloneDxBom(input({ unreadLayers: [base] }))
    expect(await validate(json)).toBeNull()
    expect(JSON.parse(json).metadata.properties).toEqual([
      { name: 'imprint:unread-layer', value: base }
    ])
    expect(
      JSON.parse(cycloneDxBom(input())).metadata.properties
    ).toBeUndefined()
  })

  it('refers to the base image’s own SBOM attestation by digest', async () => {
    const json = cycloneDxBom(
      input({
        base: {
          name: 'cgr.dev/chainguard/static',
          digest: baseDigest,
          sbom: {
            url: `oci://cgr.dev/chainguard/static@sha256:${'c'.repeat(64)}`,
            sha256: 'c'.repeat(64),
            predicateType: 'https://spdx.dev/Document'
          }
        }
      })
    )
    expect(await validate(json)).toBeNull()
    const bom = JSON.parse(json)
    const basePurl = `pkg:oci/static@${baseDigest}?repository_url=cgr.dev%2Fchainguard%2Fstatic`
    expect(
      bom.components.find((c: { type: string }) => c.type === 'container')
    ).toEqual({
      type: 'container',
      name: 'cgr.dev/chainguard/static',
      version: baseDigest,
      'bom-ref': basePurl,
      purl: basePurl,
      externalReferences: [
        {
          url: `oci://cgr.dev/chainguard/static@sha256:${'c'.repeat(64)}`,
          type: 'bom',
          comment:
            'SBOM attestation of the base image (https://spdx.dev/Document)',
          hashes: [{ alg: 'SHA-256', content: 'c'.repeat(64) }]
        }
      ]
    })
    expect(bom.dependencies).toContainEqual({
      ref: bom.metadata.component['bom-ref'],
      dependsOn: [basePurl]
    })
  })
})

describe('in-toto statement', () => {
  it('wraps the document as cosign attest --type cyclonedx does', () => {
    const { statement, json } = sbomStatement(input())
    expect(statement).toEqual({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [
        { name: 'ghcr.io/acme/app', digest: { sha256: digest.slice(7) } }
      ],
      predicateType: 'https://cyclonedx.org/bom',
      predicate: JSON.parse(cycloneDxBom(input()))
    })
    expect(JSON.parse(json)).toEqual(statement)
    expect(sbomStatement(input()).json).toBe(json)
  })

  it('refuses a subject that is not a sha256 digest', () => {
    expect(() =>
      sbomStatement(input({ image: { name: 'x', digest: 'sha512:00' } }))
    ).toThrow('SBOM subject: sha512:00 is not a sha256 digest')
  })
})
