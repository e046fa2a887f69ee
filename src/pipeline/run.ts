import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { InputError } from '../errors'
import type { Inputs } from '../inputs'
import { topLevel, type Artifact, type Blob } from '../oci/image'
import { formatPlatform } from '../oci/platform'
import { rfc3339 } from '../oci/types'
import { defaultKeychain } from '../registry/auth'
import { Registries } from '../registry/registries'
import type { RetryPolicy } from '../registry/retry'
import { checkLayoutTarget, writeLayout } from '../sinks/layout'
import { planTags, pushArtifact } from '../sinks/registry'
import type { Logger } from '../util/log'
import { assemble } from './assemble'
import { resolveBase, scratchBase, type ResolvedBase } from './base'
import { readContext, type BuildContext } from './context'
import { buildLayers } from './layers'
import { resultOf, type PipelineResult } from './result'
import { renderTags } from './tags'
import { compareWithBase, type Comparison } from './compare'
import { AuthenticationError } from '../registry/client'
import { RegistryError } from '../registry/errors'
import type { PushReport } from '../sinks/registry'
import { previousLayers, reuseLookup } from './reuse'
import { compressorId } from '../build/layer'
import type { Digest } from '../oci/digest'
import { mergeImages, parseMergeDigests } from './merge'
import { signArtifact } from './sign'
import {
  deploy,
  prepareDeploy,
  previewOf,
  type DeployResult,
  type PreparedDeploy
} from './deploy'
import type { SignatureRecord } from '../sign/key-signer'

export interface PipelineDeps {
  log: Logger
  env: NodeJS.ProcessEnv
  retry?: RetryPolicy
  /** Parallel layer builds and blob uploads. */
  jobs?: number
  chunkThreshold?: number
  chunkSize?: number
  /** Called as soon as the digest is known, so front ends can expose it even if pushing fails. */
  onAssembled?: (partial: PipelineResult) => void
  /** Called once the image is in the registry, before signing. */
  onPublished?: (partial: PipelineResult) => void
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
    chunkSize: deps.chunkSize
  })
  const jobs = deps.jobs ?? 4

  let prepared: PreparedDeploy | undefined
  const scratchDir = await mkdtemp(
    join(deps.env.RUNNER_TEMP || tmpdir(), 'imprint-')
  )
  try {
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
            reuse: inputs.push
              ? await reuseFromPrevious(inputs, context, registries, log)
              : undefined,
            log
          })
    deps.onAssembled?.(
      resultOf(inputs, artifact, base, tags, context, undefined)
    )

    // Manifests are read and edited in memory now, so a bad file stops the run before the push.
    if (inputs.pushByDigest && inputs.manifests.length) {
      log.warning(
        'push-by-digest: manifests are updated by the job that merges the digests, not here'
      )
    }
    prepared = inputs.pushByDigest
      ? undefined
      : await log.group('Check manifests', () =>
          prepareDeploy(
            inputs,
            context,
            tags[0] ?? artifact.digest.slice(7, 19),
            artifact.digest,
            log
          )
        )

    const layoutDir = inputs.ociLayout ? resolve(inputs.ociLayout) : undefined
    if (layoutDir) {
      await checkLayoutTarget(layoutDir).catch(error => {
        throw new InputError('oci-layout', (error as Error).message)
      })
    }
    // A pull request's image is compared with the base commit's before anything is written.
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
            log
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
    if (push)
      deps.onPublished?.(resultOf(inputs, artifact, base, tags, context, push))

    let signatures: SignatureRecord[] = []
    if (inputs.sign === 'key' && inputs.signingKey) {
      const key = inputs.signingKey
      if (!push) {
        log.warning('push is false: nothing was pushed, so nothing was signed')
      } else {
        signatures = await log.group('Sign', () =>
          signArtifact(
            registries.client(inputs.image.registry),
            inputs.image,
            artifact,
            key,
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
      }
    } else if (push) {
      log.info(
        'not signed: set signing-key (and sign: key or auto) to sign with cosign-compatible signatures'
      )
    }
    let deployed: DeployResult | undefined
    const ready = prepared
    if (ready) {
      deployed = push
        ? await log.group('Update manifests', () =>
            deploy(ready, inputs, context, log)
          )
        : {
            mode: inputs.manifestCommit,
            changed: [],
            changes: ready.plan.files.flatMap(f =>
              f.changes.map(change => ({ path: f.path, change }))
            ),
            preview: previewOf(ready),
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
    await prepared?.cleanup()
    await rm(scratchDir, { recursive: true, force: true })
  }
}

/** Resolves the base, builds the layers and assembles the image (or index). */
async function buildArtifact(
  inputs: Inputs,
  context: BuildContext,
  registries: Registries,
  options: {
    workingDirectory: string
    scratchDir: string
    jobs: number
    reuse?: (diffId: Digest) => Promise<Blob | undefined>
    log: Logger
  }
): Promise<{ base: ResolvedBase; artifact: Artifact }> {
  const { log } = options
  const base: ResolvedBase = await log.group('Resolve base', async () => {
    if (inputs.base === 'scratch') {
      if (inputs.platforms === 'all')
        throw new Error(
          'Input "platforms": "all" needs a base image to take the platforms from'
        )
      return scratchBase(inputs.platforms, context.sourceDateEpoch)
    }
    const resolved = await resolveBase(
      inputs.base,
      inputs.platforms,
      registries
    )
    log.info(
      `${resolved.name} → ${resolved.digest} (${resolved.platforms.map(p => formatPlatform(p.platform)).join(', ')})`
    )
    return resolved
  })

  const layers = await log.group('Build layers', () =>
    buildLayers(
      inputs.layers,
      base.platforms.map(p => p.platform),
      {
        workingDirectory: options.workingDirectory,
        scratchDir: options.scratchDir,
        mtime: context.sourceDateEpoch,
        uid: inputs.layerOwner.uid,
        gid: inputs.layerOwner.gid,
        jobs: options.jobs,
        compression: inputs.compression,
        reuse: options.reuse,
        log
      }
    )
  )

  const artifact: Artifact = await log.group('Assemble', async () => {
    const result = assemble(base, layers, inputs, context)
    log.info(
      `${result.kind === 'index' ? 'index' : 'manifest'} ${result.digest}`
    )
    return result
  })
  return { base, artifact }
}

/**
 * Layers unchanged since a previous image (the parent commit's, the PR base's) are not compressed
 * again: their tar is hashed and the previous blob reused, after checking it.
 */
async function reuseFromPrevious(
  inputs: Inputs,
  context: BuildContext,
  registries: Registries,
  log: Logger
): Promise<((diffId: Digest) => Promise<Blob | undefined>) | undefined> {
  // Only templates that name the commit tell which tag a previous commit's image has.
  const templates = inputs.tags.filter(t =>
    /\{\{\s*(sha|short_sha)\s*\}\}/.test(t)
  )
  const tags = context.previousCommits.flatMap(sha => {
    try {
      return renderTags(templates, { ...context, sha })
    } catch {
      return []
    }
  })
  if (tags.length === 0) return undefined
  const client = registries.client(inputs.image.registry)
  const map = await previousLayers(client, inputs.image, tags, log)
  if (map.size === 0) return undefined
  log.info(
    `layer reuse: ${map.size} layers known from ${tags.length} previous image tags`
  )
  return reuseLookup(
    client,
    inputs.image,
    map,
    compressorId(inputs.compression),
    log
  )
}

function isPullRequest(context: BuildContext): boolean {
  return (
    context.eventName === 'pull_request' ||
    context.eventName === 'pull_request_target'
  )
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

/** The comparison with the base commit's image; a missing image or any error is only a warning. */
async function compareBase(
  inputs: Inputs,
  context: BuildContext,
  registries: Registries,
  artifact: Artifact,
  log: Logger
): Promise<Comparison | undefined> {
  const templates = inputs.tags.filter(t =>
    /\{\{\s*(sha|short_sha)\s*\}\}/.test(t)
  )
  if (!context.baseCommit || templates.length === 0) return undefined
  try {
    const [tag] = renderTags([templates[0]], {
      ...context,
      sha: context.baseCommit,
      pr: undefined
    })
    const comparison = await compareWithBase(
      registries.client(inputs.image.registry),
      inputs.image,
      artifact,
      tag
    )
    if (!comparison)
      log.info(
        `no image for the base commit ${context.baseCommit.slice(0, 7)} (${inputs.image}:${tag}); nothing to compare`
      )
    return comparison
  } catch (error) {
    log.warning(
      `could not compare with the base branch's image: ${(error as Error).message}`
    )
    return undefined
  }
}
