import { resolve } from 'node:path'
import { InputError } from '../errors'
import type { PushInputs } from '../inputs'
import type { Artifact } from '../oci/image'
import type { Reference, Repository } from '../oci/reference'
import { repositoryScope } from '../registry/auth'
import { AuthenticationError, RegistryError } from '../registry/errors'
import type { ClientOptions } from '../registry/client'
import { defaultKeychain } from '../registry/keychain'
import { Registries } from '../registry/registries'
import { proxiedByEnvironment } from '../registry/transport'
import {
  EngineUnavailable,
  findEngine,
  loadIntoEngine,
  type Engine,
  type EngineTimeouts,
  type LoadReport
} from '../sinks/engine'
import { checkLayoutTarget, writeLayout } from '../sinks/layout'
import {
  EarlyUploads,
  planTags,
  pushArtifact,
  TagConflictError,
  type PushReport,
  type TagPlan
} from '../sinks/registry'
import type { Logger } from '../util/log'
import { isPullRequest, type BuildContext } from './context'
import {
  judgeTagConflict,
  type ImageSettings,
  type Verdict
} from './tag-conflict'

/** Another repository the image went to, beside the primary one. */
export interface Mirror {
  repository: string
  push: PushReport
}

export interface Published {
  /** The image the tags point at: this run's, or the same commit's existing one (base moved). */
  artifact: Artifact
  /** The primary repository's push. */
  push?: PushReport
  mirrors?: Mirror[]
  /** Why nothing was pushed although push was true (a fork's read-only credentials). */
  pushSkipped?: string
  /** What went into the runner's engine (`load`). */
  loaded?: LoadReport
}

/**
 * Uploads may start during the build only when nothing can stop the push later on input grounds:
 * a tag that exists already (and may not be overwritten) could be a conflict, which must leave the
 * registry untouched, so then blobs wait for the push stage. The push stage looks the tags up
 * again: one may appear while this run builds.
 */
export async function startEarlyUploads(
  inputs: PushInputs,
  tags: readonly string[],
  registries: Registries,
  jobs: number,
  log: Logger
): Promise<EarlyUploads | undefined> {
  if (!inputs.push || inputs.mergeDigests.length > 0) return undefined
  const client = registries.client(inputs.image.registry)
  if (!inputs.allowTagOverwrite) {
    try {
      // In every repository: a conflict in any of them must leave all of them untouched.
      const existing = await Promise.all(
        inputs.images.flatMap(repo =>
          tags.map(tag =>
            registries
              .client(repo.registry)
              .resolveTag(repo, tag, [repositoryScope(repo.path, 'pull,push')])
          )
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

/**
 * The registries of this run, one client each, with the credentials they get: the inputs' for
 * the image's registry, else the Docker and containers logins, else the GitHub token for ghcr.io.
 * The image's and the base's repositories pick the most specific login a containers auth.json
 * holds for a namespace.
 */
export function registriesFor(
  inputs: PushInputs & { base?: Reference | 'scratch' },
  context: Pick<BuildContext, 'actor'>,
  options: Omit<ClientOptions, 'keychain' | 'insecureRegistries'> & {
    env: NodeJS.ProcessEnv
    execArgv?: readonly string[]
  }
): Registries {
  const { env, execArgv, ...client } = options
  return new Registries({
    ...client,
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
      repositories: [
        inputs.image,
        ...(inputs.base && inputs.base !== 'scratch'
          ? [inputs.base.repository]
          : [])
      ],
      env
    }),
    insecureRegistries: inputs.insecureRegistries,
    userAgent: 'imprint',
    socketReads: !proxiedByEnvironment(env, execArgv)
  })
}

/**
 * The OCI layout directory to write, checked before anything is built (the directory, and no
 * symbolic link on the way to it or in it); undefined when none was asked for.
 */
export async function layoutTarget(
  inputs: Pick<PushInputs, 'ociLayout'>,
  workspace: string
): Promise<string | undefined> {
  if (!inputs.ociLayout) return undefined
  const dir = resolve(workspace, inputs.ociLayout)
  await checkLayoutTarget(dir, workspace).catch(error => {
    throw new InputError('oci-layout', (error as Error).message)
  })
  return dir
}

/**
 * The engine `load` goes to, found before anything is built (so a runner without one costs no
 * build): Docker when its CLI answers, else Podman; undefined when `load` is off.
 */
export async function loadTarget(
  inputs: Pick<PushInputs, 'load'>,
  options: { env: NodeJS.ProcessEnv; log: Logger; timeouts?: EngineTimeouts }
): Promise<Engine | undefined> {
  if (!inputs.load) return undefined
  try {
    return await findEngine(options)
  } catch (error) {
    if (error instanceof EngineUnavailable)
      throw new Error(`load: true ${error.message}`)
    throw error
  }
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

/**
 * The push stage: the image into the registry under its tags (nothing written when a tag would
 * move, unless allowed), into an OCI layout when asked, and into the runner's engine with `load`
 * (also without pushing: test, then push the same digest). A pull request from a fork gets
 * read-only credentials: then the image is reported, not pushed, and the run does not fail.
 */
export async function publish(
  artifact: Artifact,
  tags: readonly string[],
  inputs: PushInputs & ImageSettings,
  context: BuildContext,
  options: {
    registries: Registries
    early?: EarlyUploads
    layoutDir?: string
    /** The engine to load into (`loadTarget`), with a directory for the archive. */
    load?: { engine: Engine; tempDir: string; timeouts?: EngineTimeouts }
    jobs: number
    log: Logger
  }
): Promise<Published> {
  const { log } = options
  const published: Published = { artifact }
  if (inputs.push) {
    try {
      Object.assign(
        published,
        await log.group(`Push ${inputs.images.join(', ')}`, () =>
          pushWithTags(artifact, tags, inputs, {
            ...options,
            mergeCheckout: context.mergeCheckout
          })
        )
      )
    } catch (error) {
      if (!(isPullRequest(context) && refusedCredentials(error))) throw error
      published.pushSkipped =
        "the pull request's credentials may not push (a fork)"
      log.warning(
        `not pushed: ${published.pushSkipped}; the image was built and is reported (${(error as Error).message})`
      )
    }
  }
  if (options.layoutDir) {
    const dir = options.layoutDir
    await log.group(`Write OCI layout ${inputs.ociLayout}`, () =>
      writeLayout(dir, artifact, tags)
    )
  }
  const { load } = options
  if (load) {
    // What the tags point at: this run's image, or the commit's existing one (base moved).
    const target = published.artifact
    published.loaded = await log.group(`Load into ${load.engine.name}`, () =>
      loadIntoEngine(
        load.engine,
        target,
        tags.map(tag => `${inputs.image}:${tag}`),
        { tempDir: load.tempDir, log, timeouts: load.timeouts }
      )
    )
  }
  return published
}

/**
 * Looks every tag up, in every repository, before anything is written. A tag at another image is a
 * conflict (nothing written anywhere) unless overwriting is allowed, or it holds this very
 * commit's build on an older base: a re-run after the base tag moved deploys that image instead
 * (with a notice). Then the primary repository is pushed, and each other one from it (mounted on
 * the same registry, copied to another), so every repository has the same digest under the same
 * tags.
 */
async function pushWithTags(
  artifact: Artifact,
  tags: readonly string[],
  inputs: PushInputs & ImageSettings,
  options: {
    registries: Registries
    early?: EarlyUploads
    jobs: number
    log: Logger
    mergeCheckout?: string
  }
): Promise<{ artifact: Artifact; push: PushReport; mirrors: Mirror[] }> {
  const { log } = options
  const clientOf = (repo: Repository) =>
    options.registries.client(repo.registry)
  const plans = await Promise.all(
    inputs.images.map(repo => planTags(clientOf(repo), repo, tags))
  )
  let target = artifact
  if (!inputs.allowTagOverwrite) {
    for (const [i, repo] of inputs.images.entries()) {
      const conflicts = plans[i].filter(
        p => p.existing !== undefined && p.existing !== target.digest
      )
      for (const conflict of conflicts) {
        if (conflict.existing === target.digest) continue
        const verdict = await judgeTagConflict(
          clientOf(repo),
          repo,
          conflict.tag,
          conflict.existing!,
          target,
          { mergeCheckout: options.mergeCheckout, settings: inputs }
        )
        if (verdict.kind === 'conflict') throw verdict.error
        // Only the primary repository's tag can make the run deploy an existing image.
        if (i > 0 || target !== artifact)
          throw conflictWith(repo, conflict, target)
        target = verdict.artifact
        ;(log.notice ?? log.info)(
          existingNotice(repo, conflict.tag, target, verdict)
        )
      }
    }
  }
  const [primary, ...others] = inputs.images
  const push = await pushArtifact(
    clientOf(primary),
    primary,
    target,
    plans[0],
    {
      jobs: options.jobs,
      log,
      early: target === artifact ? options.early : undefined
    }
  )
  const mirrors: Mirror[] = []
  for (const [i, repo] of others.entries()) {
    mirrors.push({
      repository: String(repo),
      push: await pushArtifact(clientOf(repo), repo, target, plans[i + 1], {
        jobs: options.jobs,
        log,
        pushedTo: primary
      })
    })
  }
  return { artifact: target, push, mirrors }
}

/** Why the run deploys an image that already exists rather than the one it built. */
function existingNotice(
  repo: Repository,
  tag: string,
  target: Artifact,
  verdict: Extract<Verdict, { kind: 'existing' }>
): string {
  const deploying = `Deploying the existing image ${target.digest}: no layer is pushed, only the tags it lacks are added`
  if (verdict.why === 'release')
    return `${repo}:${tag} already holds this commit's image, with the same base and layers; it differs from this run's only in its version label (org.opencontainers.image.version). ${deploying}, so the release is the image that was built and tested before; it keeps its labels. For release images with their own version label, give them tags without {{sha}}`
  return `${repo}:${tag} already holds this commit's image, built on base ${verdict.bases.existing ?? '(unknown)'}; this run's base resolved to ${verdict.bases.ours ?? '(unknown)'}, and its layers are the same. ${deploying}. To build on the new base, tag with {{base_digest}} (e.g. tags: '{{sha}}-{{base_digest}}') or set allow-tag-overwrite: true`
}

/** A tag of another repository that holds an image other than the one this run deploys. */
function conflictWith(
  repo: Repository,
  plan: TagPlan,
  target: Artifact
): TagConflictError {
  return new TagConflictError(
    `${repo}:${plan.tag}`,
    plan.existing!,
    target.digest,
    'every image repository must hold the same image under the same tags'
  )
}
