import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Inputs } from '../inputs'
import type { TarEntry } from '../layer/tar'
import type { Digest } from '../oci/digest'
import type { Artifact, Blob, Image } from '../oci/image'
import { formatPlatform } from '../oci/platform'
import type { Repository } from '../oci/reference'
import type { Registries } from '../registry/registries'
import {
  catalog,
  defaultMaxFileSize,
  diskSource,
  mergeLayers,
  readMode,
  sbomStatement,
  scanLayer,
  type BaseImageRef,
  type FileSource,
  type LayerScan
} from '../sbom'
import { findAttachedSbom } from '../sign/attestation'
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
}

/** What the base of one platform holds, as far as the catalogers read: its layers' scans, or its own SBOM. */
interface BaseContents {
  scans: LayerScan[]
  attached?: BaseImageRef['sbom']
}

/**
 * The SBOM stage. It starts as soon as the base is resolved, and only when the run will sign:
 * each base platform's own SBOM attestation is looked for (Chainguard's bases carry one, then it is
 * referenced by digest), else its layers are read as streams, alongside the build, keeping only
 * what the catalogers read. Once the image is assembled, its own layers are catalogued from the
 * files they were made of.
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
    const scanned = new Map<Digest, Promise<LayerScan>>()
    // Base layers are large; two at a time keep the network busy without starving the build.
    const slot = limiter(2)
    for (const platform of base.platforms) {
      const key = formatPlatform(platform.platform)
      const contents = (async (): Promise<BaseContents> => {
        const reference = base.reference
        if (reference && platform.digest) {
          const client = registries.client(reference.repository.registry)
          const attached = await findAttachedSbom(
            client,
            reference.repository,
            platform.digest
          ).catch(() => undefined)
          if (attached) {
            log.debug(
              `${base.name} (${key}) carries its own SBOM: ${attached.url}`
            )
            return { scans: [], attached }
          }
        }
        const diffIds = platform.config.rootfs.diff_ids
        const scans = platform.layers.map((layer, i) => {
          const digest = layer.descriptor.digest
          let scan = scanned.get(digest)
          if (!scan) {
            // Located by diffID, like the built layers.
            scan = slot(() => scanBlob(layer, diffIds[i] ?? digest, log))
            scanned.set(digest, scan)
          }
          return scan
        })
        return { scans: await Promise.all(scans) }
      })()
      // A failure is reported when the SBOM is made, not as an unhandled rejection now.
      contents.catch(() => {})
      stage.bases.set(key, contents)
    }
    return stage
  }

  /**
   * The SBOM of each image of `artifact` (made while the image is pushed; logged by `report`): the base's packages (or its own SBOM, referenced) and
   * those of the layers this run built, from `contents` (each built layer's entries, by diffID).
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

  /** Says what each SBOM holds and where it was written, in its own log group. */
  async report(sboms: Promise<ImageSbom[]>): Promise<ImageSbom[]> {
    return this.log.group('SBOM', async () => {
      const made = await sboms
      for (const sbom of made) this.log.info(sbom.summary)
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
    const base = (await this.bases.get(platform)) ?? { scans: [] }
    const built = image.layers.flatMap(layer =>
      layer.built
        ? [
            {
              diffId: layer.built.diffId,
              entries: contents.get(layer.built.diffId) ?? []
            }
          ]
        : []
    )
    // What the built layers write hides the base's file at the same path.
    const written = new Set(built.flatMap(l => l.entries.map(e => e.path)))
    const files: FileSource[] = [
      ...mergeLayers(base.scans).filter(file => !written.has(file.path)),
      ...built.flatMap(({ diffId, entries }) =>
        entriesAsSources(entries, diffId, this.log)
      )
    ]
    const { packages, distro } = await catalog(files, {
      warn: message => this.log.debug(`SBOM: ${message}`)
    })
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
      tool: { name: 'imprint', version }
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
      summary: `${platform}: ${packages.length} packages${base.attached ? ` (the base's own SBOM referenced: ${base.attached.url})` : ''}; ${path}`
    }
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
  log: Logger
): FileSource[] {
  const sources: FileSource[] = []
  for (const entry of entries) {
    if (entry.type !== 'file') continue
    const mode = readMode(entry.path, entry.mode)
    if (!mode) continue
    if (mode === 'whole' && entry.size > defaultMaxFileSize) {
      log.debug(
        `SBOM: ${entry.path}: ${entry.size} bytes is over the ${defaultMaxFileSize}-byte limit, not read`
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

/** One base layer, streamed from its registry and scanned; nothing of it is kept but what catalogers read. */
async function scanBlob(
  layer: Blob,
  id: string,
  log: Logger
): Promise<LayerScan> {
  const stream = (await layer.open(0)) as AsyncIterable<Buffer>
  return scanLayer(stream, id, {
    warn: message => log.debug(`SBOM: ${message}`)
  })
}
