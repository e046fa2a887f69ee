// What an SBOM is attached as, apart from the document (./document): the stages name these in
// every run, while the CycloneDX library is loaded only by a run that makes an SBOM.

/** The predicate type of a CycloneDX attestation; `cosign verify-attestation --type cyclonedx` matches it. */
export const cycloneDxPredicateType = 'https://cyclonedx.org/bom'
export const inTotoStatementType = 'https://in-toto.io/Statement/v1'

/** An in-toto Statement v1 carrying the SBOM as its predicate. */
export interface SbomStatement {
  _type: typeof inTotoStatementType
  subject: { name: string; digest: { sha256: string } }[]
  predicateType: typeof cycloneDxPredicateType
  predicate: Record<string, unknown>
}
