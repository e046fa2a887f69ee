import { mkdtemp, rm, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { LayerMapStore } from '../cache/layer-map'
import { InputError } from '../errors'
import { Git } from '../git/git'
import { keylessTrustMaterial, type Inputs } from '../inputs'
import { annotationKeys } from '../oci/annotations'
import { isDigest } from '../oci/digest'
import type { Artifact } from '../oci/image'
import type { Limits } from '../registry/http'
import { imageResult, type PipelineResult } from '../report/result'
import type { EarlyUploads } from '../sinks/registry'
import type { Logger } from '../util/log'
import type { RetryPolicy } from '../util/retry'
import { baseStage, startResolvingBase, type ResolvedBase } from './base'
import { buildArtifact } from './build'
import { SourceListing } from './layers'
import { dropWarmReader, warmReader } from '../layer/read-ahead'
import { compareWithBaseBranch } from './compare'
import { contextStage, type BuildContext } from './context'
import {
  openManifests,
  planManifestEdits,
  updateManifests,
  type OpenedManifests
} from './deploy'
import { mergeStage } from './merge'
import {
  layoutTarget,
  loadTarget,
  publish,
  registriesFor,
  startEarlyUploads
} from './push'
import { report } from './report'
import { layerReuse, readPreviousImages, rememberLayers } from './reuse'
import { SbomStage } from './sbom'
import { sign, signingMode } from './sign'
import { renderTags } from './tags'

export interface PipelineDeps {
  log: Logger
  /** The front end's environment: the only place the pipeline learns about the runner from. */
  env: NodeJS.ProcessEnv
  /** Node's own command-line flags (`--use-env-proxy` sends `fetch` through a proxy). */
  execArgv?: readonly string[]
  /** The directory the run starts in (the runner's workspace): manifests are found from there. */
  workspace: string
  /** Where temporary files go (the runner's `RUNNER_TEMP`), removed when the run ends. */
  tempDir: string
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
 * The whole run, stage by stage: context → base → checks → (reuse → layers → assemble, or merge)
 * → compare → push → sign → manifests → report. The action and the command line are two front
 * ends of this function; each stage opens its own log group and takes its slice of the inputs.
 * Work that depends on nothing before it starts early and is told in its stage's turn: the
 * sources are listed from the start, the base is read while git answers, the previous commits'
 * images while the base is.
 */
export async function runPipeline(
  inputs: Inputs,
  deps: PipelineDeps
): Promise<PipelineResult> {
  const { log, env } = deps
  for (const notice of inputs.notices) (log.notice ?? log.info)(notice)
  const jobs = deps.jobs ?? 4
  const git = new Git(env)
  const workingDirectory = resolve(deps.workspace, inputs.workingDirectory)
  const isDirectory = await stat(workingDirectory).then(
    info => info.isDirectory(),
    () => false
  )
  if (!isDirectory)
    throw new InputError(
      'working-directory',
      `"${inputs.workingDirectory}" is not a directory (looked for ${workingDirectory})`
    )
  const merging = inputs.mergeDigests.length > 0
  // The sources are listed from now on, beside the git and registry questions below, and the
  // thread that reads many small files starts meanwhile.
  if (!merging) warmReader()
  const listing = merging
    ? undefined
    : new SourceListing({
        workingDirectory,
        exclude: inputs.exclude,
        ownDestination:
          inputs.layerOwner.uid !== 0 || inputs.layerOwner.gid !== 0,
        // The layout is written while the sources are listed: never into a layer.
        skip: inputs.ociLayout
          ? [resolve(deps.workspace, inputs.ociLayout)]
          : []
      }).startEarly(inputs.layers)
  let opened: OpenedManifests | undefined
  let early: EarlyUploads | undefined
  let saving: Promise<void> | undefined
  let scratchDir: string | undefined
  try {
    // A keyless trusted root that sigstore-js refuses is an input error: told before anything else.
    const trustedRoot = await keylessTrustMaterial(inputs)
    // The registry clients need of the context only the actor (GitHub's token for ghcr.io is
    // tied to it), which the environment says: the base is asked for while git is.
    const registries = registriesFor(
      inputs,
      { actor: env.GITHUB_ACTOR },
      { ...deps, env }
    )
    const resolvingBase = merging
      ? undefined
      : startResolvingBase(inputs, registries)
    const context = await contextStage(
      env,
      git,
      { workspace: deps.workspace, workingDirectory, tempDir: deps.tempDir },
      inputs.sourceDateEpoch,
      log
    )
    // The previous commits' images are read while the base is (unless their tags name it).
    const previousImages = readPreviousImages(inputs, context, registries)
    const base: ResolvedBase = merging
      ? { name: '', platforms: [] }
      : await baseStage(inputs, context, registries, log, resolvingBase)
    // The fan-out half of a matrix build writes no tag: the merge job tags the index.
    const tags = inputs.pushByDigest ? [] : tagsFor(inputs, context, base, log)
    scratchDir = await mkdtemp(join(deps.tempDir, 'imprint-'))
    const imageOf = (
      artifact: Parameters<typeof imageResult>[0]['artifact'],
      push?: Parameters<typeof imageResult>[0]['push'],
      mirrors?: Parameters<typeof imageResult>[0]['mirrors']
    ): PipelineResult =>
      imageResult({
        repository: inputs.image,
        repositories: inputs.images,
        mirrors,
        artifact,
        base: baseOf(base, artifact),
        tags,
        ...facts(context),
        ociLayout: inputs.ociLayout,
        push
      })
    // Everything a user can get wrong is checked before the first layer is compressed, so a bad
    // input costs no build time and leaves nothing pushed.
    const layoutDir = await layoutTarget(inputs, deps.workspace)
    const engine = await loadTarget(inputs, { env, log })
    opened = await openManifests(inputs, context, tags[0] ?? 'latest', git, log)

    early = await startEarlyUploads(inputs, tags, registries, jobs, log)
    const reuse = await layerReuse(
      inputs,
      context,
      base,
      registries,
      deps.layerMapStore,
      log,
      previousImages
    )
    // Base layers are read for the SBOM while the layers are built, when the run will sign.
    const sbom = SbomStage.start(
      inputs,
      signingMode(inputs, context) !== 'none',
      base,
      registries,
      log
    )
    const { artifact: built, contents } = merging
      ? {
          artifact: await mergeStage(inputs, registries, log),
          contents: new Map()
        }
      : await buildArtifact(inputs, context, base, {
          workingDirectory,
          scratchDir,
          jobs,
          reuse: reuse?.lookup,
          expectReuse: reuse?.expect,
          observer: early,
          followFrom: deps.followFrom,
          listing,
          log
        })
    deps.onAssembled?.(imageOf(built))
    const planFor = (artifact: Artifact) =>
      opened &&
      planManifestEdits(
        opened,
        inputs,
        {
          tag: tags[0] ?? artifact.digest.slice(7, 19),
          digest: artifact.digest
        },
        log
      )
    let planned = await planFor(built)

    const comparison = await compareWithBaseBranch(
      inputs,
      context,
      registries,
      built,
      log
    )
    // The SBOM is made while the image is pushed; it is attached only to what this run built.
    const sbomsMade = sbom?.make(
      built,
      inputs.image,
      contents,
      context.sourceDateEpoch,
      deps.tempDir
    )
    sbomsMade?.catch(() => {})
    const { artifact, push, mirrors, pushSkipped, loaded } = await publish(
      built,
      tags,
      inputs,
      context,
      {
        registries,
        early,
        layoutDir,
        load: engine && { engine, tempDir: scratchDir },
        jobs,
        log
      }
    )
    // A re-run after the base moved deploys the commit's existing image instead.
    if (artifact !== built) planned = await planFor(artifact)
    if (push) {
      deps.onPublished?.(imageOf(artifact, push, mirrors))
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
    // An existing image deployed again (the base moved) has its SBOM from the run that made it.
    const sboms =
      push && sbom && sbomsMade && artifact === built
        ? await sbom.report(sbomsMade)
        : []
    const signatures = await sign(artifact, base, inputs, {
      pushed: push !== undefined,
      builtHere: artifact === built,
      repositories: inputs.images,
      registries,
      context,
      sboms: new Map(sboms.map(s => [s.image, s.statement])),
      trustedRoot,
      env,
      log
    })
    const deployed =
      planned &&
      (await updateManifests(
        planned,
        inputs,
        push !== undefined,
        context,
        git,
        log
      ))

    const result: PipelineResult = {
      ...imageOf(artifact, push, mirrors),
      signatures,
      sboms: sboms.map(({ platform, path, packages, unread }) => ({
        platform,
        path,
        packages,
        ...(unread.length ? { unreadLayers: unread.map(u => u.digest) } : {})
      })),
      deploy: deployed,
      comparison,
      pushSkipped,
      loaded
    }
    await report(result, inputs, context, log)
    return result
  } finally {
    listing?.stop()
    early?.cancel()
    // A run that failed before its layers did not take the thread started for them.
    dropWarmReader()
    await early?.settled()
    await saving
    await opened?.cleanup()
    if (scratchDir) await rm(scratchDir, { recursive: true, force: true })
  }
}

/**
 * The tags of this run, rendered once the base's digest is known (`{{base_digest}}`); templates
 * this event cannot fill are skipped, and said so.
 */
function tagsFor(
  inputs: Inputs,
  context: BuildContext,
  base: ResolvedBase,
  log: Logger
): string[] {
  const { tags, skipped } = renderTags(inputs.tags, context, {
    baseDigest: base.digest
  })
  for (const line of skipped) (log.notice ?? log.info)(`tags: ${line}`)
  return tags
}

/** The base an image was built on: this run's, or (an existing image) the one it records. */
function baseOf(base: ResolvedBase, artifact: Artifact) {
  const recorded = (
    artifact.kind === 'image'
      ? artifact.manifest.annotations
      : artifact.index.annotations
  )?.[annotationKeys.baseDigest]
  return {
    name: base.name,
    digest: recorded && isDigest(recorded) ? recorded : base.digest
  }
}

/** What the result records of the run itself. */
function facts(context: BuildContext) {
  return {
    revision: context.sha,
    sourceDateEpoch: context.sourceDateEpoch,
    pullRequest:
      context.pr === undefined
        ? undefined
        : { number: context.pr, baseBranch: context.baseBranch }
  }
}
