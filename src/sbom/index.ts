/**
 * SBOM of what is in an image: catalogers, a streaming layer scanner and the statement it is
 * attached as. The CycloneDX document itself is `./document`, imported where an SBOM is made and
 * only then: its library is a large part of the bundle.
 */
export {
  catalog,
  defaultCatalogers,
  mergePackages,
  readMode,
  type CatalogOptions,
  type CatalogResult
} from './catalog'
export type { BaseImageRef, ImageRef, SbomInput } from './document'
export {
  cycloneDxPredicateType,
  inTotoStatementType,
  type SbomStatement
} from './statement'
export { parseOsRelease } from './distro'
export { defaultElfLimits, type ElfLimits } from './elf-collector'
export {
  catalogLayers,
  defaultMaxFileSize,
  defaultScanBudget,
  keptSource,
  mergeLayers,
  mergeViews,
  ScanBudget,
  scanLayer,
  scanView,
  type LayerScan,
  type LayerView,
  type ScanOptions
} from './scan'
export { diskSource, fileSource, type DiskFile } from './sources'
export type {
  Cataloger,
  Distro,
  ElfView,
  FileSource,
  Location,
  Package,
  PackageType
} from './types'
