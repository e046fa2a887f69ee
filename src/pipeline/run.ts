import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { InputError } from '../errors'
import type { Inputs } from '../inputs'
import { topLevel, type Artifact } from '../oci/image'
import { formatPlatform } from '../oci/platform'
import { rfc3339 } from '../oci/types'
import { defaultKeychain, repositoryScope } from '../registry/auth'
import { Registries } from '../registry/registries'
import type { RetryPolicy } from '../registry/retry'
import { checkLayoutTarget, writeLayout } from '../sinks/layout'
import { EarlyUploads, planTags, pushArtifact } from '../sinks/registry'
import type { Logger } from '../util/log'
import type { ResolvedBase } from './base'
import { isPullRequest, readContext, type BuildContext } from './context'
import { resultOf, type PipelineResult } from './result'
import { renderTags } from './tags'
import { compareBase } from './compare'
import { AuthenticationError } from '../registry/client'
import { RegistryError } from '../registry/errors'
import type { PushReport } from '../sinks/registry'
import { layerReuse, rememberLayers, type LayerMapStore } from './reuse'
import { buildArtifact } from './build'
import { mergeImages, parseMergeDigests } from './merge'
import { signArtifact } from './sign'
import {
  deploy,
  openManifests,
  planDeploy,
  previewOf,
  type DeployResult,
  type OpenedManifests
} from './deploy'
import { keyMethod, keylessMethod, type SignatureRecord } from '../sign/signer'
import { KeylessSigner, keylessConfig } from '../sign/keyless'

export interface PipelineDeps {
  log: Logger
  env: NodeJS.ProcessEnv
  retry?: RetryPolicy
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
 * The whole build: context → base → layers → assemble → push / layout. The action and the
 * command line are two front ends of this function.
 */
export async function runPipeline(
  inputs: Inputs,
  deps: PipelineDeps
): Promise<PipelineResult> {
  const { log } = deps
  const workingDirectory = resolve(inputs.workingDirectory)
  const context: BuildContext = await readContext(
    deps.env,
    workingDirectory,
    inputs.sourceDateEpoch
  )
  // The fan-out half of a matrix build writes no tag: the merge job tags the index.
  const tags = inputs.pushByDigest ? [] : renderTags(inputs.tags, context)
  log.info(
    `source date ${context.sourceDateEpoch} (${rfc3339(context.sourceDateEpoch)}) from ${context.sourceDateOrigin}`
  )

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
      githubActor: context.actor
    }),
    insecureRegistries: inputs.insecureRegistries,
    retry: deps.retry,
    log,
    userAgent: 'imprint',
    chunkThreshold: deps.chunkThreshold,
    chunkSize: deps.chunkSize,
    streamChunkSize: deps.streamChunkSize
  })
  const jobs = deps.jobs ?? 4

  let opened: OpenedManifests | undefined
  let early: EarlyUploads | undefined
  let saving: Promise<void> | undefined
  const scratchDir = await mkdtemp(
    join(deps.env.RUNNER_TEMP || tmpdir(), 'imprint-')
  )
  try {
    // Everything a user can get wrong is checked before the first layer is compressed, so a bad
    // input costs no build time and leaves nothing pushed.
    const layoutDir = inputs.ociLayout ? resolve(inputs.ociLayout) : undefined
    if (layoutDir) {
      await checkLayoutTarget(layoutDir).catch(error => {
        throw new InputError('oci-layout', (error as Error).message)
      })
    }
    if (inputs.pushByDigest && inputs.manifests.length) {
      log.warning(
        'push-by-digest: manifests are updated by the job that merges the digests, not here'
      )
    }
    opened = inputs.pushByDigest
      ? undefined
      : await log.group('Check manifests', () =>
          openManifests(inputs, context, tags[0] ?? 'latest', log)
        )
    // Only a build that pushes can send blobs early or reuse pushed ones.
    const pushesABuild = inputs.push && inputs.mergeDigests.length === 0
    if (pushesABuild)
      early = await earlyUploads(inputs, tags, registries, jobs, log)

    const reuse = pushesABuild
      ? await layerReuse(inputs, context, registries, deps.layerMapStore, log)
      : undefined
    const { base, artifact } =
      inputs.mergeDigests.length > 0
        ? await log.group('Merge platform images', async () => {
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
            return {
              base: { name: '', platforms: [] } as ResolvedBase,
              artifact: merged as Artifact
            }
          })
        : await buildArtifact(inputs, context, registries, {
            workingDirectory,
            scratchDir,
            jobs,
            reuse: reuse?.lookup,
            onBlob: early && (blob => early!.start(blob)),
            onGrowing: early && ((file, name) => early!.follow(file, name)),
            followFrom: deps.followFrom,
            log
          })
    deps.onAssembled?.(
      resultOf(inputs, artifact, base, tags, context, undefined)
    )

    const prepared = opened
      ? planDeploy(
          opened,
          inputs,
          tags[0] ?? artifact.digest.slice(7, 19),
          artifact.digest,
          log
        )
      : undefined
    // A pull request's image is compared with the base commit's (read only), for the report.
    const comparison =
      context.baseCommit && !inputs.pushByDigest
        ? await compareBase(inputs, context, registries, artifact, log)
        : undefined

    let push: PushReport | undefined
    let pushSkipped: string | undefined
    if (inputs.push) {
      try {
        push = await log.group(`Push ${inputs.image}`, async () => {
          const client = registries.client(inputs.image.registry)
          const plans = await planTags(
            client,
            inputs.image,
            topLevel(artifact).digest,
            tags,
            inputs.allowTagOverwrite
          )
          return pushArtifact(client, inputs.image, artifact, plans, {
            jobs,
            log,
            early
          })
        })
      } catch (error) {
        // A pull request from a fork gets read-only credentials: report the image, do not fail.
        if (!(isPullRequest(context) && refusedCredentials(error))) throw error
        pushSkipped = "the pull request's credentials may not push (a fork)"
        log.warning(
          `not pushed: ${pushSkipped}; the image was built and is reported (${(error as Error).message})`
        )
      }
    }
    if (inputs.ociLayout && layoutDir) {
      await log.group(`Write OCI layout ${inputs.ociLayout}`, () =>
        writeLayout(layoutDir, artifact, tags)
      )
    }
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

    let signatures: SignatureRecord[] = []
    const method =
      inputs.sign === 'key' && inputs.signingKey
        ? keyMethod(inputs.signingKey)
        : inputs.sign === 'keyless'
          ? keylessMethod(new KeylessSigner(keylessConfig(deps.env)))
          : undefined
    if (method && !push) {
      log.warning('nothing was pushed, so nothing was signed')
    } else if (method) {
      log.info(
        `signing ${method.kind === 'key' ? 'with the signing-key' : 'keyless (Fulcio certificate for this workflow, Rekor entry)'}`
      )
      signatures = await log.group('Sign', () =>
        signArtifact(
          registries.client(inputs.image.registry),
          inputs.image,
          artifact,
          method,
          {
            recursive: inputs.signRecursive,
            attest: inputs.attest,
            created: rfc3339(context.sourceDateEpoch),
            revision: context.sha,
            base,
            env: deps.env,
            log
          }
        )
      )
    } else if (push) {
      log.info(
        'not signed: set signing-key, or give the job "id-token: write" for keyless signing'
      )
    }
    let deployed: DeployResult | undefined
    if (prepared) {
      deployed = push
        ? await log.group('Update manifests', () =>
            deploy(prepared, inputs, context, log)
          )
        : {
            mode: inputs.manifestCommit,
            changed: [],
            changes: prepared.plan.files.flatMap(f =>
              f.changes.map(change => ({ path: f.path, change }))
            ),
            preview: previewOf(prepared),
            skipped:
              'the image was not pushed, so manifests are not pointed at it'
          }
      if (deployed.skipped)
        log.info(`manifests not updated: ${deployed.skipped}`)
    }
    return {
      ...resultOf(inputs, artifact, base, tags, context, push),
      signatures,
      deploy: deployed,
      comparison,
      pushSkipped
    }
  } finally {
    early?.cancel()
    await early?.settled()
    await saving
    await opened?.cleanup()
    await rm(scratchDir, { recursive: true, force: true })
  }
}

/**
 * Uploads may start during the build only when nothing can stop the push later on input grounds:
 * a tag that exists already (and may not be overwritten) could be a conflict, which must leave the
 * registry untouched, so then blobs wait for the push stage as before. The push stage looks the
 * tags up again: one may appear while this run builds.
 */
async function earlyUploads(
  inputs: Inputs,
  tags: readonly string[],
  registries: Registries,
  jobs: number,
  log: Logger
): Promise<EarlyUploads | undefined> {
  const client = registries.client(inputs.image.registry)
  if (!inputs.allowTagOverwrite) {
    try {
      const existing = await Promise.all(
        tags.map(tag =>
          client.resolveTag(inputs.image, tag, [
            repositoryScope(inputs.image.path, 'pull,push')
          ])
        )
      )
      if (existing.some(Boolean)) {
        log.debug('a tag exists already: uploads wait for the tag check')
        return undefined
      }
    } catch (error) {
      log.debug(
        `tags not readable yet (${(error as Error).message}): uploads wait for the push`
      )
      return undefined
    }
  }
  return new EarlyUploads(client, inputs.image, jobs, log)
}

function refusedCredentials(error: unknown): boolean {
  return (
    error instanceof AuthenticationError ||
    (error instanceof RegistryError &&
      (error.status === 401 ||
        error.status === 403 ||
        error.codes.includes('DENIED')))
  )
}
