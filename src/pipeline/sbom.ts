import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Inputs } from '../inputs'
import type { TarEntry } from '../layer/tar'
import type { Digest } from '../oci/digest'
import type { Artifact, Blob, Image } from '../oci/image'
import { formatPlatform } from '../oci/platform'
import type { Repository } from '../oci/reference'
import { verifiedBlob, type VerifiedBlob } from '../oci/verified-blob'
import type { Registries } from '../registry/registries'
import {
  catalog,
  defaultMaxFileSize,
  diskSource,
  keptSource,
  mergeViews,
  readMode,
  ScanBudget,
  scanLayer,
  type BaseImageRef,
  type FileSource,
  type LayerScan,
  type LayerView
} from '../sbom'
import { findAttachedSbom } from '../sign/attached-sbom'
import type { Logger } from '../util/log'
import { limiter } from '../util/pool'
import { version } from '../version'
import type { ResolvedBase } from './base'

/** What an image's SBOM became: the signed statement's bytes, the document's file, a count. */
export interface ImageSbom {
  image: Digest
  platform: string
  statement: Buffer
  /** The CycloneDX document, written for later steps (`sbom` output). */
  path: string
  packages: number
  /** One line for the log. */
  summary: string
  /** Base layers that could not be read, and why: their packages are not in the SBOM. */
  unread: { digest: Digest; diffId: string; reason: string }[]
  /** Files that were not read (too large, over the budget, malformed), for the log. */
  warnings: string[]
}

/** One base layer as the SBOM sees it: its scan, or why it could not be read. */
interface BaseLayer {
  digest: Digest
  diffId: string
  scan?: LayerScan
  failure?: string
  /** Files of it that were skipped (too large, over the budget). */
  warnings: string[]
}

/** What the base of one platform holds, as far as the catalogers read: its layers, and its own SBOM's reference. */
interface BaseContents {
  layers: BaseLayer[]
  attached?: BaseImageRef['sbom']
}

/** How many of the other warnings one SBOM puts in the log as warnings (all go to the debug log). */
const warningsShown = 5

/**
 * The SBOM stage. It starts as soon as the base is resolved, and only when the run will sign:
 * each base platform's layers are read as streams, alongside the build, keeping only what the
 * catalogers read, and its own SBOM attestation, when it carries one (Chainguard's bases do), is
 * looked for, to be referenced by digest as well. Once the image is assembled, its own layers are
 * catalogued from the files they were made of.
 */
export class SbomStage {
  private readonly bases = new Map<string, Promise<BaseContents>>()

  private constructor(
    private readonly base: ResolvedBase,
    private readonly log: Logger
  ) {}

  static start(
    inputs: Pick<Inputs, 'sbom' | 'push' | 'mergeDigests'>,
    willSign: boolean,
    base: ResolvedBase,
    registries: Registries,
    log: Logger
  ): SbomStage | undefined {
    if (!inputs.sbom || !willSign || !inputs.push || inputs.mergeDigests.length)
      return undefined
    const stage = new SbomStage(base, log)
    const scanned = new Map<Digest, Promise<BaseLayer>>()
    // Base layers are large; two at a time keep the network busy without starving the build.
    const slot = limiter(2)
    // What all base layers may keep, together: their package databases and executables' parts.
    const budget = new ScanBudget()
    for (const platform of base.platforms) {
      const key = formatPlatform(platform.platform)
      const contents = (async (): Promise<BaseContents> => {
        // The base's own SBOM attestation, when it has one, is referenced too: extra information,
        // never instead of its layers (scanners do not follow a document's references).
        const reference = base.reference
        const attached =
          reference && platform.digest
            ? findAttachedSbom(
                registries.client(reference.repository.registry),
                reference.repository,
                platform.digest
              ).catch(error => {
                log.debug(
                  `${base.name} (${key}): its own SBOM was not looked up: ${(error as Error).message}`
                )
                return undefined
              })
            : undefined
        const diffIds = platform.config.rootfs.diff_ids
        const layers = platform.layers.map((layer, i) => {
          const digest = layer.descriptor.digest
          let scan = scanned.get(digest)
          if (!scan) {
            // Located by diffID, like the built layers.
            scan = slot(() =>
              scanBaseLayer(layer, diffIds[i] ?? digest, budget)
            )
            scanned.set(digest, scan)
          }
          return scan
        })
        const [found, sbom] = await Promise.all([Promise.all(layers), attached])
        if (sbom)
          log.debug(`${base.name} (${key}) carries its own SBOM: ${sbom.url}`)
        return { layers: found, ...(sbom ? { attached: sbom } : {}) }
      })()
      // A failure is reported when the SBOM is made, not as an unhandled rejection now.
      contents.catch(() => {})
      stage.bases.set(key, contents)
    }
    return stage
  }

  /**
   * The SBOM of each image of `artifact` (made while the image is pushed; logged by `report`): the
   * base's packages (and a reference to its own SBOM) and those of the layers this run built, from
   * `contents` (each built layer's entries, by diffID).
   */
  async make(
    artifact: Artifact,
    repository: Repository,
    contents: ReadonlyMap<Digest, TarEntry[]>,
    created: number,
    tempDir: string
  ): Promise<ImageSbom[]> {
    const images = artifact.kind === 'image' ? [artifact] : artifact.images
    const sboms: ImageSbom[] = []
    for (const image of images)
      sboms.push(
        await this.forImage(image, repository, contents, created, tempDir)
      )
    return sboms
  }

  /**
   * Says what each SBOM holds and where it was written, in its own log group, with a warning for
   * each base layer that could not be read and a few of the files that could not. An SBOM that
   * could not be made at all is a warning too: the image is signed and deployed without it.
   */
  async report(sboms: Promise<ImageSbom[]>): Promise<ImageSbom[]> {
    return this.log.group('SBOM', async () => {
      let made: ImageSbom[]
      try {
        made = await sboms
      } catch (error) {
        this.log.warning(
          `SBOM not made, the image is signed without one: ${(error as Error).message}`
        )
        return []
      }
      for (const sbom of made) {
        this.log.info(sbom.summary)
        for (const { digest, reason } of sbom.unread)
          this.log.warning(
            `SBOM of ${sbom.platform}: base layer ${digest} could not be read, its packages are not listed: ${reason}`
          )
        const files = sbom.warnings
        for (const warning of files) this.log.debug(`SBOM: ${warning}`)
        if (files.length)
          this.log.warning(
            `SBOM of ${sbom.platform}: ${files.length} file${files.length > 1 ? 's' : ''} not read, their packages may be missing: ${files.slice(0, warningsShown).join('; ')}${files.length > warningsShown ? '; … (all in the debug log)' : ''}`
          )
      }
      return made
    })
  }

  private async forImage(
    image: Image,
    repository: Repository,
    contents: ReadonlyMap<Digest, TarEntry[]>,
    created: number,
    tempDir: string
  ): Promise<ImageSbom> {
    const platform = formatPlatform(image.platform)
    const base = (await this.bases.get(platform)) ?? { layers: [] }
    const warnings = new Set<string>()
    const unread: ImageSbom['unread'] = []
    const views: LayerView<FileSource>[] = []
    for (const layer of base.layers) {
      for (const warning of layer.warnings) warnings.add(warning)
      if (layer.scan) {
        views.push({
          ...layer.scan,
          files: new Map(
            [...layer.scan.kept].map(([path, file]) => [path, keptSource(file)])
          )
        })
      } else {
        const { digest, diffId, failure = '' } = layer
        unread.push({ digest, diffId, reason: failure })
      }
    }
    // The built layers over the base, merged the same way (a file or link hides what is below).
    for (const layer of image.layers) {
      if (!layer.built) continue
      const diffId = layer.built.diffId
      views.push(
        builtView(contents.get(diffId) ?? [], diffId, m => warnings.add(m))
      )
    }
    const { packages, distro } = await catalog(mergeViews(views), {
      warn: message => warnings.add(message)
    })
    // The CycloneDX library, loaded by the runs that make an SBOM, when they make it.
    const { sbomStatement } = await import('../sbom/document')
    const { statement, json } = sbomStatement({
      image: { name: String(repository), digest: image.digest },
      packages,
      created: new Date(created * 1000),
      distro,
      ...(this.base.name && this.base.reference
        ? {
            base: {
              name: String(this.base.reference.repository),
              digest:
                image.manifest.annotations?.[
                  'org.opencontainers.image.base.digest'
                ] ??
                this.base.digest ??
                '',
              ...(base.attached ? { sbom: base.attached } : {})
            }
          }
        : {}),
      tool: { name: 'imprint', version },
      ...(unread.length ? { unreadLayers: unread.map(u => u.diffId) } : {})
    })
    const path = join(
      tempDir,
      `imprint-sbom-${image.digest.slice(7, 19)}.cdx.json`
    )
    await writeFile(path, JSON.stringify(statement.predicate))
    return {
      image: image.digest,
      platform,
      statement: Buffer.from(json),
      path,
      packages: packages.length,
      summary: `${platform}: ${packages.length} packages${base.attached ? ` (the base's own SBOM also referenced: ${base.attached.url})` : ''}${unread.length ? ` (${unread.length} base layer${unread.length > 1 ? 's' : ''} could not be read)` : ''}; ${path}`,
      unread,
      warnings: [...warnings]
    }
  }
}

/** A layer this run built, as a view of the files catalogers read (it has no whiteouts). */
function builtView(
  entries: readonly TarEntry[],
  layer: string,
  warn: (message: string) => void
): LayerView<FileSource> {
  return {
    paths: new Set(entries.map(e => e.path)),
    nonDirectories: new Set(
      entries.filter(e => e.type !== 'dir').map(e => e.path)
    ),
    whiteouts: [],
    opaque: [],
    files: new Map(
      entriesAsSources(entries, layer, warn).map(source => [
        source.path,
        source
      ])
    )
  }
}

/**
 * A built layer's files as cataloger sources, read from the files the layer was made of, with the
 * scanner's bounds: a file read whole over the limit is skipped (and said so), executables are
 * streamed.
 */
function entriesAsSources(
  entries: readonly TarEntry[],
  layer: string,
  warn: (message: string) => void
): FileSource[] {
  const sources: FileSource[] = []
  for (const entry of entries) {
    if (entry.type !== 'file') continue
    const mode = readMode(entry.path, entry.mode)
    if (!mode) continue
    if (mode === 'whole' && entry.size > defaultMaxFileSize) {
      warn(
        `${layer}: ${entry.path}: ${entry.size} bytes is over the ${defaultMaxFileSize}-byte limit, not read`
      )
      continue
    }
    sources.push(
      diskSource({
        diskPath: entry.source,
        path: entry.path,
        size: entry.size,
        mode: entry.mode,
        layer
      })
    )
  }
  return sources
}

/**
 * One base layer, streamed from its registry, checked against its digest and scanned; nothing of
 * it is kept but what catalogers read. A layer that cannot be read (not a tar, not what its
 * digest says, a network failure) is not an error: the SBOM is made without its packages.
 */
async function scanBaseLayer(
  layer: Blob,
  diffId: string,
  budget: ScanBudget
): Promise<BaseLayer> {
  const digest = layer.descriptor.digest
  const warnings: string[] = []
  let blob: VerifiedBlob | undefined
  try {
    blob = verifiedBlob(
      (await layer.open(0)) as AsyncIterable<Uint8Array>,
      layer.descriptor
    )
    const scan = await scanLayer(blob.chunks, diffId, {
      budget,
      warn: message => warnings.push(message)
    })
    // What the scan did not need (after the archive's end) is read too: the digest covers it.
    await blob.rest()
    return { digest, diffId, scan, warnings }
  } catch (error) {
    await blob?.close()
    const message = (error as Error).message
    return {
      digest,
      diffId,
      failure: message.startsWith(`${diffId}: `)
        ? message.slice(diffId.length + 2)
        : message,
      warnings
    }
  }
}
