import { annotationKeys } from '../oci/annotations'
import type { Digest } from '../oci/digest'
import type { Artifact, Image } from '../oci/image'
import { formatPlatform } from '../oci/platform'
import type { Repository } from '../oci/reference'
import type { RegistryClient } from '../registry/client'
import { readRemote } from '../registry/remote-image'
import { TagConflictError } from '../sinks/registry'
import type { Inputs } from '../inputs'

/** The inputs that shape an image's config and annotations besides its layers and base. */
export type ImageSettings = Pick<
  Inputs,
  'entrypoint' | 'cmd' | 'env' | 'workdir' | 'user' | 'labels' | 'annotations'
>

/**
 * Which of this run's settings the existing image does not have (its config and annotations also
 * hold what its base gave it, which may differ on a newer base: only what the inputs set is
 * compared).
 */
function settingsMissing(image: Image, settings: ImageSettings): string[] {
  const container = image.config.config ?? {}
  const same = (a: unknown, b: unknown) =>
    JSON.stringify(a) === JSON.stringify(b)
  const missing: string[] = []
  if (settings.entrypoint && !same(container.Entrypoint, settings.entrypoint))
    missing.push('entrypoint')
  if (settings.cmd && !same(container.Cmd, settings.cmd)) missing.push('cmd')
  for (const [key, value] of settings.env)
    if (!(container.Env ?? []).includes(`${key}=${value}`))
      missing.push(`env ${key}`)
  if (settings.workdir && container.WorkingDir !== settings.workdir)
    missing.push('workdir')
  if (settings.user && container.User !== settings.user) missing.push('user')
  for (const [key, value] of Object.entries(settings.labels))
    if (container.Labels?.[key] !== value) missing.push(`label ${key}`)
  for (const [key, value] of Object.entries(settings.annotations))
    if (image.manifest.annotations?.[key] !== value)
      missing.push(`annotation ${key}`)
  return missing
}

/**
 * What to make of a tag that already points at another image than this run's:
 * - `existing`: the same commit's image, its layers above the base identical, and either
 *   - `base-moved`: on an older base (a re-run after the base tag moved), or
 *   - `release`: on the same base, differing only in the version label (a release tag pushed on a
 *     commit a branch push already built): that image, the one that was tested, is the one to
 *     deploy, and this run's tags are added to it;
 * - otherwise a conflict, explained by what differs.
 */
export type Verdict =
  | {
      kind: 'existing'
      why: 'base-moved' | 'release'
      artifact: Artifact
      /** The base digests of the existing image and of this run's (first platform). */
      bases: { existing?: string; ours?: string }
    }
  | { kind: 'conflict'; error: TagConflictError }

const images = (artifact: Artifact): readonly Image[] =>
  artifact.kind === 'image' ? [artifact] : artifact.images

const revisionOf = (image: Image): string | undefined =>
  image.config.config?.Labels?.[annotationKeys.revision]

/** The config without the label a release tag sets (`org.opencontainers.image.version`). */
function withoutVersion(image: Image): string {
  const { config } = image
  const labels = { ...(config.config?.Labels ?? {}) }
  delete labels[annotationKeys.version]
  return JSON.stringify({
    ...config,
    config: { ...config.config, Labels: labels }
  })
}

const short = (value: string | undefined): string =>
  value ? value.slice(0, 7) : 'an unknown commit'

export async function judgeTagConflict(
  client: RegistryClient,
  repo: Repository,
  tag: string,
  existing: Digest,
  ours: Artifact,
  options: {
    /** The merge commit a pull_request run checked out instead of the head it tags. */
    mergeCheckout?: string
    /** This run's settings: an image built with others is not this commit's image of today. */
    settings?: ImageSettings
  } = {}
): Promise<Verdict> {
  const { mergeCheckout } = options
  const reference = `${repo}:${tag}`
  const conflict = (detail: string): Verdict => ({
    kind: 'conflict',
    error: new TagConflictError(reference, existing, ours.digest, detail)
  })
  const theirs = await readRemote(client, repo, existing).catch(() => undefined)
  const ourImages = images(ours)
  const revision = revisionOf(ourImages[0])
  if (!theirs?.artifact)
    return conflict('the image under it cannot be read to say how it differs')
  const theirImages = images(theirs.artifact)
  const theirRevision = revisionOf(theirImages[0])
  if (!revision || theirRevision !== revision) {
    return conflict(
      `it was built from commit ${short(theirRevision)}, this run builds ${short(revision)}; give each commit's image its own tag`
    )
  }
  const byPlatform = new Map(
    theirImages.map(image => [formatPlatform(image.platform), image])
  )
  for (const image of ourImages) {
    const platform = formatPlatform(image.platform)
    const their = byPlatform.get(platform)
    if (!their || byPlatform.size !== ourImages.length)
      return conflict(
        `the same commit was built for other platforms (${[...byPlatform.keys()].join(', ')})`
      )
    const built = image.layers.filter(layer => layer.built)
    const theirIds = their.config.rootfs.diff_ids.slice(-built.length)
    const differing = built.findIndex(
      (layer, i) => layer.built!.diffId !== theirIds[i]
    )
    if (differing >= 0) {
      const layer = built[differing].built!
      const found = `it holds the same commit, but its layer ${differing + 1} (${layer.source} → ${layer.destination}) has other content (${platform}: diffID ${theirIds[differing]?.slice(0, 19)}, now ${layer.diffId.slice(0, 19)})`
      return conflict(
        mergeCheckout
          ? `${found}. This pull_request run built the checkout ${short(mergeCheckout)}, the merge of head ${short(revision)} into the base branch, which can change while the head does not: check out the head (actions/checkout with ref: \${{ github.event.pull_request.head.sha }}) to build the head alone, or let pull request previews move their tags (allow-tag-overwrite: true)`
          : `${found}. A build step that writes this source is not deterministic: fix times (SOURCE_DATE_EPOCH), sort what it lists, pin versions and leave out what varies (caches, build ids)`
      )
    }
  }
  const bases = {
    existing: theirImages[0].manifest.annotations?.[annotationKeys.baseDigest],
    ours: ourImages[0].manifest.annotations?.[annotationKeys.baseDigest]
  }
  if (bases.existing !== bases.ours) {
    const missing = options.settings
      ? [
          ...new Set(
            theirImages.flatMap(image =>
              settingsMissing(image, options.settings!)
            )
          )
        ]
      : []
    if (missing.length > 0)
      return conflict(
        `it holds the same commit and layers on an older base, but was built with other settings (${missing.join(', ')} differ from this run's); give images of other settings their own tags, or set allow-tag-overwrite: true`
      )
    return {
      kind: 'existing',
      why: 'base-moved',
      artifact: theirs.artifact,
      bases
    }
  }
  const sameButVersion = ourImages.every(image => {
    const their = byPlatform.get(formatPlatform(image.platform))!
    return (
      withoutVersion(their) === withoutVersion(image) &&
      JSON.stringify(their.manifest.annotations ?? {}) ===
        JSON.stringify(image.manifest.annotations ?? {})
    )
  })
  if (sameButVersion)
    return {
      kind: 'existing',
      why: 'release',
      artifact: theirs.artifact,
      bases
    }
  return conflict(
    'it holds the same commit and layers, built with other settings (entrypoint, env, labels, annotations or source-date-epoch)'
  )
}
