/** Where a package was found: the layer (its diffID, or any id the caller chose) and the path in it. */
export interface Location {
  layer: string
  /** Path inside the image, without a leading slash; `a.jar:lib/b.jar` for a jar inside a jar. */
  path: string
}

/** The ecosystems the catalogers know; each is also the purl type. */
export type PackageType =
  'npm' | 'pypi' | 'maven' | 'golang' | 'cargo' | 'deb' | 'apk'

/** One package found in an image. */
export interface Package {
  type: PackageType
  /** The name as its ecosystem writes it (npm `@scope/name`, a Go module path, a Maven artifactId). */
  name: string
  /** Maven groupId; absent for the other ecosystems. */
  group?: string
  version: string
  purl: string
  /** Licences as declared by the package (an SPDX expression or id when the source gives one), in order. */
  licenses?: string[]
  locations: Location[]
}

/** The distribution an image's OS packages come from, read from `etc/os-release`. */
export interface Distro {
  /** `ID`, lower-cased: debian, ubuntu, alpine, wolfi, … */
  id: string
  /** `VERSION_ID`: 12, 3.20.3, …; absent on rolling releases. */
  versionId?: string
  prettyName?: string
}

/** What the scanner kept of an ELF executable: only the parts the binary catalogers read. */
export interface ElfView {
  /** The bytes of a named section, when its header and content were kept. */
  section(name: string): Buffer | undefined
  /** The Go build information (`\xff Go buildinf:` header onwards), when present and kept. */
  goBuildInfo(): Buffer | undefined
  /** Bytes at a virtual address (for Go's pre-1.18 pointer format); only when that part was kept. */
  readAddress(address: bigint, length: number): Buffer | undefined
  readonly littleEndian: boolean
  readonly is64: boolean
}

/** One file a cataloger reads. */
export interface FileSource {
  /** Path inside the image, without a leading slash. */
  path: string
  size: number
  /** Unix permission bits (0o755, …); executables are what the binary catalogers read. */
  mode?: number
  /** The layer the file comes from; the `where.layer` given to `catalog` otherwise. */
  layer?: string
  /** The whole content. */
  read(): Promise<Buffer>
  /** For executables: the parts of the ELF file that were kept (the scanner does not keep the rest). */
  elf?(): Promise<ElfView | undefined>
}

/** What catalogers know about the image beyond their own files. */
export interface CatalogContext {
  distro?: Distro
  /** Layer for files without one. */
  layer: string
  /** Logs what was skipped and why (a malformed file never fails the scan). */
  warn(message: string): void
}

/** Finds packages of one ecosystem in the files it asks for. */
export interface Cataloger {
  readonly name: string
  /**
   * How the scanner reads a wanted file: `whole` (bounded by a size limit) or `elf` (an
   * executable, of which only the sections the binary catalogers need are kept).
   */
  readonly reads: 'whole' | 'elf'
  /** Whether this cataloger reads the file at `path` (no leading slash) with permission bits `mode`. */
  wants(path: string, mode: number): boolean
  catalog(files: FileSource[], context: CatalogContext): Promise<Package[]>
}
