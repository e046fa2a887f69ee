/** SBOM of what is in an image: catalogers, a streaming layer scanner and the CycloneDX document. */
export {
  catalog,
  defaultCatalogers,
  mergePackages,
  readMode,
  type CatalogOptions,
  type CatalogResult
} from './catalog'
export {
  cycloneDxBom,
  cycloneDxPredicateType,
  inTotoStatementType,
  sbomStatement,
  type BaseImageRef,
  type ImageRef,
  type SbomInput,
  type SbomStatement
} from './document'
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
