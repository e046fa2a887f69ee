import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { LayerMapStore } from '../cache/layer-map'
import { InputError } from '../errors'
import { Git } from '../git/git'
import type { Inputs } from '../inputs'
import type { Artifact } from '../oci/image'
import { formatPlatform } from '../oci/platform'
import { rfc3339 } from '../oci/types'
import type { Limits } from '../registry/http'
import { defaultKeychain } from '../registry/keychain'
import { Registries } from '../registry/registries'
import { checkLayoutTarget } from '../sinks/layout'
import type { EarlyUploads } from '../sinks/registry'
import type { Logger } from '../util/log'
import type { RetryPolicy } from '../util/retry'
import type { ResolvedBase } from './base'
import { buildArtifact } from './build'
import { compareWithBaseBranch } from './compare'
import { readContext } from './context'
import { openManifests, updateManifests, type OpenedManifests } from './deploy'
import { mergeImages, parseMergeDigests } from './merge'
import { publish, startEarlyUploads } from './push'
import { report } from './report'
import { resultOf, type PipelineResult } from './result'
import { layerReuse, rememberLayers } from './reuse'
import { sign } from './sign'
import { renderTags } from './tags'

export interface PipelineDeps {
  log: Logger
  /** The front end's environment: the only place the pipeline learns about the runner from. */
  env: NodeJS.ProcessEnv
  /** The directory the run starts in (the runner's workspace): manifests are found from there. */
  workspace: string
  retry?: RetryPolicy
  /** Time bounds on each registry request. */
  limits?: Limits
  /** Parallel layer builds and blob uploads. */
  jobs?: number
  chunkThreshold?: number
  chunkSize?: number
  streamChunkSize?: number
  /** Content size from which a layer is uploaded while it is written. */
  followFrom?: number
  /** Called as soon as the digest is known, so front ends can expose it even if pushing fails. */
  onAssembled?: (partial: PipelineResult) => void
  /** Called once the image is in the registry, before signing. */
  onPublished?: (partial: PipelineResult) => void
  /** Keeps the repository's diffID → blob map between jobs (the Actions cache). */
  layerMapStore?: LayerMapStore
}

/**
 * The whole run, stage by stage: context → checks → (reuse → base → layers → assemble, or merge)
 * → compare → push → sign → manifests → report. The action and the command line are two front
 * ends of this function; each stage owns its log group and its slice of the inputs.
 */
export async function runPipeline(
  inputs: Inputs,
  deps: PipelineDeps
): Promise<PipelineResult> {
  const { log, env } = deps
  const jobs = deps.jobs ?? 4
  const git = new Git(env)
  const workingDirectory = resolve(deps.workspace, inputs.workingDirectory)
  const context = await log.group('Context', async () => {
    const read = await readContext(
      env,
      { workspace: deps.workspace, workingDirectory },
      inputs.sourceDateEpoch
    )
    log.info(
      `commit ${read.sha ?? '(none)'}; source date ${read.sourceDateEpoch} (${rfc3339(read.sourceDateEpoch)}) from ${read.sourceDateOrigin}`
    )
    return read
  })
  // The fan-out half of a matrix build writes no tag: the merge job tags the index.
  const tags = inputs.pushByDigest ? [] : renderTags(inputs.tags, context)
  const registries = new Registries({
    keychain: defaultKeychain({
      explicit:
        inputs.username && inputs.password
          ? {
              registry: inputs.image.registry,
              username: inputs.username,
              password: inputs.password
            }
          : undefined,
      githubToken: inputs.githubToken,
      githubActor: context.actor,
      env
    }),
    insecureRegistries: inputs.insecureRegistries,
    retry: deps.retry,
    limits: deps.limits,
    log,
    userAgent: 'imprint',
    chunkThreshold: deps.chunkThreshold,
    chunkSize: deps.chunkSize,
    streamChunkSize: deps.streamChunkSize
  })
  const scratchDir = await mkdtemp(
    join(env.RUNNER_TEMP || tmpdir(), 'imprint-')
  )
  let opened: OpenedManifests | undefined
  let early: EarlyUploads | undefined
  let saving: Promise<void> | undefined
  try {
    // Everything a user can get wrong is checked before the first layer is compressed, so a bad
    // input costs no build time and leaves nothing pushed.
    const layoutDir = inputs.ociLayout
      ? resolve(deps.workspace, inputs.ociLayout)
      : undefined
    if (layoutDir) {
      await checkLayoutTarget(layoutDir).catch(error => {
        throw new InputError('oci-layout', (error as Error).message)
      })
    }
    if (inputs.pushByDigest && inputs.manifests.length) {
      log.warning(
        'push-by-digest: manifests are updated by the job that merges the digests, not here'
      )
    } else if (inputs.manifests.length) {
      opened = await log.group('Check manifests', () =>
        openManifests(inputs, context, tags[0] ?? 'latest', git, log)
      )
    }

    const merging = inputs.mergeDigests.length > 0
    // Only a build that pushes can send blobs early or reuse pushed ones.
    const pushesABuild = inputs.push && !merging
    early = pushesABuild
      ? await startEarlyUploads(inputs, tags, registries, jobs, log)
      : undefined
    const reuse = pushesABuild
      ? await log.group('Layer reuse', () =>
          layerReuse(inputs, context, registries, deps.layerMapStore, log)
        )
      : undefined
    const { base, artifact } = merging
      ? await merge(inputs, registries, log)
      : await buildArtifact(inputs, context, registries, {
          workingDirectory,
          scratchDir,
          jobs,
          reuse: reuse?.lookup,
          observer: early,
          followFrom: deps.followFrom,
          log
        })
    deps.onAssembled?.(
      resultOf(inputs, artifact, base, tags, context, undefined)
    )

    const comparison =
      context.baseCommit && !inputs.pushByDigest
        ? await log.group('Compare with the base branch', () =>
            compareWithBaseBranch(inputs, context, registries, artifact, log)
          )
        : undefined

    const { push, pushSkipped } = await publish(
      artifact,
      tags,
      inputs,
      context,
      { registries, early, layoutDir, jobs, log }
    )
    if (push) {
      deps.onPublished?.(resultOf(inputs, artifact, base, tags, context, push))
      // Saved while signing and manifests go on: the layers are in the registry now.
      if (deps.layerMapStore && reuse)
        saving = rememberLayers(
          deps.layerMapStore,
          inputs.image,
          artifact,
          reuse.stored,
          log
        )
    }

    const signatures = await sign(artifact, base, inputs, {
      pushed: push !== undefined,
      repository: inputs.image,
      client: registries.client(inputs.image.registry),
      context,
      env,
      log
    })

    const manifestsOpened = opened
    const deployed = manifestsOpened
      ? await log.group('Update manifests', async () => {
          const outcome = await updateManifests(
            manifestsOpened,
            inputs,
            {
              tag: tags[0] ?? artifact.digest.slice(7, 19),
              digest: artifact.digest,
              pushed: push !== undefined
            },
            context,
            git,
            log
          )
          if (outcome.skipped)
            log.info(`manifests not updated: ${outcome.skipped}`)
          return outcome
        })
      : undefined

    const result: PipelineResult = {
      ...resultOf(inputs, artifact, base, tags, context, push),
      signatures,
      deploy: deployed,
      comparison,
      pushSkipped
    }
    await report(result, inputs, context, log)
    return result
  } finally {
    early?.cancel()
    await early?.settled()
    await saving
    await opened?.cleanup()
    await rm(scratchDir, { recursive: true, force: true })
  }
}

/** The fan-in instead of a build: one index over platform images already pushed. */
function merge(
  inputs: Inputs,
  registries: Registries,
  log: Logger
): Promise<{ base: ResolvedBase; artifact: Artifact }> {
  return log.group('Merge platform images', async () => {
    const digests = parseMergeDigests(inputs.mergeDigests, inputs.image)
    const merged = await mergeImages(
      registries.client(inputs.image.registry),
      inputs.image,
      digests,
      inputs.annotations
    )
    log.info(
      `index ${merged.digest}: ${merged.images.map(i => `${formatPlatform(i.platform)} ${i.digest}`).join(', ')}`
    )
    return { base: { name: '', platforms: [] }, artifact: merged }
  })
}
