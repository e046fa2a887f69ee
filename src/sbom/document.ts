import { createHash } from 'node:crypto'
// Sub-path imports: the package root also loads its schema resources through `__dirname`, which
// does not exist in the ESM bundle ncc writes.
import * as Enums from '@cyclonedx/cyclonedx-library/Enums'
import * as Models from '@cyclonedx/cyclonedx-library/Models'
import * as Serialize from '@cyclonedx/cyclonedx-library/Serialize'
import * as Spec from '@cyclonedx/cyclonedx-library/Spec'
import {
  fixupSpdxId,
  isSupportedSpdxId
} from '@cyclonedx/cyclonedx-library/SPDX'
import { ociPurl } from './purl'
import {
  cycloneDxPredicateType,
  inTotoStatementType,
  type SbomStatement
} from './statement'
import type { Distro, Package } from './types'

/** An image by name (fully qualified, without tag) and manifest digest (`sha256:…`). */
export interface ImageRef {
  name: string
  digest: string
}

/** The base image, and the SBOM attestation it carries (when it has one), referenced besides the packages read from its layers. */
export interface BaseImageRef extends ImageRef {
  sbom?: {
    /** Where the attestation is, e.g. `oci://cgr.dev/chainguard/static@sha256:…`. */
    url: string
    /** sha256 (hex) of what `url` points to. */
    sha256: string
    /** Its predicate type, e.g. `https://spdx.dev/Document`. */
    predicateType: string
  }
}

export interface SbomInput {
  image: ImageRef
  packages: Package[]
  /** The document's timestamp: pass the build's (source-date) time so the same input gives the same bytes. */
  created: Date
  distro?: Distro
  base?: BaseImageRef
  tool?: { name: string; version: string }
  /**
   * Layers (diffIDs) that could not be read: their packages are missing from the document, which
   * says so with one `imprint:unread-layer` property of its metadata each.
   */
  unreadLayers?: string[]
}

const expressionOperator = /\s(AND|OR|WITH)\s|[()]/

/** An SPDX expression with its ids in canonical case, or undefined when any id is unknown. */
function spdxExpression(value: string): string | undefined {
  if (!expressionOperator.test(value)) return undefined
  const tokens = value.split(/(\s+|[()])/)
  let ok = true
  const canonical = tokens.map(token => {
    if (/^\s*$|^[()]$|^(AND|OR|WITH)$/.test(token)) return token
    if (token.startsWith('LicenseRef-') || token.startsWith('DocumentRef-'))
      return token
    const plus = token.endsWith('+') ? '+' : ''
    const id = fixupSpdxId(plus ? token.slice(0, -1) : token)
    // An exception id (after WITH) is not in the licence list; let it pass as written.
    if (!id) {
      if (/-exception$/i.test(token)) return token
      ok = false
      return token
    }
    return id + plus
  })
  return ok ? canonical.join('') : undefined
}

/**
 * CycloneDX licences for declared strings: an SPDX id as `license.id`, one SPDX expression as
 * `expression` (CycloneDX allows only a lone expression), anything else as `license.name`.
 */
export function cycloneDxLicenses(declared: string[]): Models.License[] {
  const declaredAs = Enums.LicenseAcknowledgement.Declared
  if (declared.length === 1) {
    const expression = spdxExpression(declared[0].trim())
    if (expression) {
      const license = new Models.LicenseExpression(expression)
      license.acknowledgement = declaredAs
      return [license]
    }
  }
  const out: Models.License[] = []
  const seen = new Set<string>()
  for (const raw of declared) {
    const value = raw.trim()
    const id = fixupSpdxId(value)
    const key = id ? `id:${id}` : `name:${value}`
    if (!value || seen.has(key)) continue
    seen.add(key)
    const license =
      id && isSupportedSpdxId(id)
        ? new Models.SpdxLicense(id)
        : new Models.NamedLicense(value)
    license.acknowledgement = declaredAs
    out.push(license)
  }
  return out
}

function component(p: Package): Models.Component {
  const c = new Models.Component(Enums.ComponentType.Library, p.name, {
    bomRef: p.purl,
    version: p.version,
    purl: p.purl,
    ...(p.group ? { group: p.group } : {})
  })
  for (const license of cycloneDxLicenses(p.licenses ?? []))
    c.licenses.add(license)
  p.locations.forEach((l, i) => {
    c.properties.add(
      new Models.Property(`imprint:location:${i}:layer`, l.layer)
    )
    c.properties.add(new Models.Property(`imprint:location:${i}:path`, l.path))
  })
  return c
}

/** A name-based UUID (version 5, RFC 4122) from a string. */
function uuidV5(name: string): string {
  // RFC 4122's URL namespace.
  const namespace = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex')
  const hash = createHash('sha1')
    .update(namespace)
    .update(name)
    .digest()
    .subarray(0, 16)
  hash[6] = (hash[6] & 0x0f) | 0x50
  hash[8] = (hash[8] & 0x3f) | 0x80
  const hex = hash.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

function serialize(bom: Models.Bom): string {
  const serializer = new Serialize.JsonSerializer(
    new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6)
  )
  return serializer.serialize(bom, { sortLists: true })
}

/**
 * The image's SBOM as CycloneDX 1.6 JSON: the image as `metadata.component`, one component per
 * package (bom-ref = purl, declared licences, each location as `imprint:location:N:layer|path`
 * properties), the distribution as an `operating-system` component (what scanners match OS
 * packages against), and the base image with a `bom` reference to its own SBOM attestation when
 * it has one. Deterministic: lists are sorted and the serial number is derived from the content.
 */
export function cycloneDxBom(input: SbomInput): string {
  const bom = new Models.Bom()
  bom.metadata.timestamp = input.created
  const tool = input.tool ?? { name: 'imprint', version: '0.0.0' }
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Application, tool.name, {
      version: tool.version
    })
  )
  const imagePurl = ociPurl(input.image.name, input.image.digest)
  const image = new Models.Component(
    Enums.ComponentType.Container,
    input.image.name,
    { bomRef: imagePurl, version: input.image.digest, purl: imagePurl }
  )
  bom.metadata.component = image
  for (const layer of input.unreadLayers ?? [])
    bom.metadata.properties.add(
      new Models.Property('imprint:unread-layer', layer)
    )
  if (input.distro) {
    const { id, versionId, prettyName } = input.distro
    bom.components.add(
      new Models.Component(Enums.ComponentType.OperatingSystem, id, {
        bomRef: `operating-system:${id}${versionId ? '@' + versionId : ''}`,
        ...(versionId ? { version: versionId } : {}),
        ...(prettyName ? { description: prettyName } : {})
      })
    )
  }
  if (input.base) {
    const basePurl = ociPurl(input.base.name, input.base.digest)
    const base = new Models.Component(
      Enums.ComponentType.Container,
      input.base.name,
      { bomRef: basePurl, version: input.base.digest, purl: basePurl }
    )
    const sbom = input.base.sbom
    if (sbom) {
      const hashes = new Models.HashDictionary()
      hashes.set(Enums.HashAlgorithm['SHA-256'], sbom.sha256)
      base.externalReferences.add(
        new Models.ExternalReference(
          sbom.url,
          Enums.ExternalReferenceType.BOM,
          {
            hashes,
            comment: `SBOM attestation of the base image (${sbom.predicateType})`
          }
        )
      )
    }
    image.dependencies.add(base.bomRef)
    bom.components.add(base)
  }
  for (const p of input.packages) bom.components.add(component(p))
  // Same content, same serial number: the serial is derived from the document without it.
  const digest = createHash('sha256').update(serialize(bom)).digest('hex')
  bom.serialNumber = `urn:uuid:${uuidV5(`imprint-sbom:${digest}`)}`
  return serialize(bom)
}

/**
 * The in-toto Statement v1 to sign and attach: subject the image manifest digest, predicate
 * the CycloneDX document (as `cosign attest --type cyclonedx` writes it).
 */
export function sbomStatement(input: SbomInput): {
  statement: SbomStatement
  json: string
} {
  const [algorithm, hex] = input.image.digest.split(':')
  if (algorithm !== 'sha256' || !/^[0-9a-f]{64}$/.test(hex ?? ''))
    throw new Error(
      `SBOM subject: ${input.image.digest} is not a sha256 digest`
    )
  const statement: SbomStatement = {
    _type: inTotoStatementType,
    subject: [{ name: input.image.name, digest: { sha256: hex } }],
    predicateType: cycloneDxPredicateType,
    predicate: JSON.parse(cycloneDxBom(input)) as Record<string, unknown>
  }
  return { statement, json: JSON.stringify(statement) }
}
