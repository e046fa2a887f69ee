import * as cache from '@actions/cache'
import { randomBytes } from 'node:crypto'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isDigest } from '../oci/digest'
import type { Repository } from '../oci/reference'
import type { LayerMapStore, LayerRecord } from './layer-map'

interface StoredMap {
  schemaVersion: 1
  repository: string
  layers: LayerRecord[]
}

/**
 * A repository's layer map in the GitHub Actions cache. Entries are immutable, so every change is
 * saved under a new key; a restore by prefix finds the newest (the service looks in the current
 * branch, then the default branch). `@` cannot occur in a repository name and `#` not in a
 * platform list, so one repository's prefix never matches another's.
 */
export class ActionsCacheLayerStore implements LayerMapStore {
  readonly name = 'the Actions cache'
  private readonly file: string

  constructor(
    private readonly options: {
      /** The platforms this job builds: fan-out legs keep separate maps. */
      scope: string
      sha: string
      env: NodeJS.ProcessEnv
    }
  ) {
    // The cache version hashes the path, so it must be the same in every job.
    this.file = join(
      options.env.RUNNER_TEMP || tmpdir(),
      'imprint-layer-map.json'
    )
  }

  static available(): boolean {
    return cache.isFeatureAvailable()
  }

  private prefix(repository: Repository): string {
    return `imprint-layers-${repository}@${this.options.scope}#`
  }

  async load(repository: Repository): Promise<LayerRecord[]> {
    const prefix = this.prefix(repository)
    try {
      const hit = await cache.restoreCache(
        [this.file],
        `${prefix}${this.options.sha}`,
        [prefix]
      )
      if (!hit) return []
      return parseStoredMap(await readFile(this.file, 'utf8'), repository)
    } finally {
      await rm(this.file, { force: true })
    }
  }

  async save(
    repository: Repository,
    records: readonly LayerRecord[]
  ): Promise<boolean> {
    const map: StoredMap = {
      schemaVersion: 1,
      repository: String(repository),
      layers: [...records]
    }
    await writeFile(this.file, JSON.stringify(map))
    try {
      const { env } = this.options
      // Unique per job: parallel legs and re-runs must not collide on a key.
      const key = `${this.prefix(repository)}${this.options.sha}-${env.GITHUB_RUN_ID ?? ''}-${env.GITHUB_RUN_ATTEMPT ?? ''}-${randomBytes(4).toString('hex')}`
      // saveCache logs its own failures and returns -1.
      return (await cache.saveCache([this.file], key)) !== -1
    } finally {
      await rm(this.file, { force: true })
    }
  }
}

export function parseStoredMap(
  text: string,
  repository: Repository
): LayerRecord[] {
  const map = JSON.parse(text) as Partial<StoredMap>
  if (map.schemaVersion !== 1 || !Array.isArray(map.layers))
    throw new Error('not a layer map of this version')
  if (map.repository !== String(repository))
    throw new Error(`the map is of ${map.repository}, not ${repository}`)
  return map.layers.filter(
    (r): r is LayerRecord =>
      typeof r === 'object' &&
      r !== null &&
      isDigest(String(r.diffId)) &&
      isDigest(String(r.digest)) &&
      Number.isSafeInteger(r.size) &&
      r.size >= 0 &&
      typeof r.mediaType === 'string' &&
      typeof r.compressor === 'string'
  )
}
