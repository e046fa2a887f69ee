import type { Artifact } from '../oci/image'
import type { Inputs } from '../inputs'
import type { Registries } from '../registry/registries'
import { readRemote } from '../registry/remote-image'
import { compareImages, type Comparison } from '../report/comparison'
import type { Logger } from '../util/log'
import type { BuildContext } from './context'
import { renderTags } from './tags'

/**
 * On pull requests, the image is compared with the image built for the base commit (found by
 * the first tag template that names the commit), for the report. A missing image or any error
 * is only a note: the comparison is never worth failing a build.
 */
export async function compareWithBaseBranch(
  inputs: Pick<Inputs, 'image' | 'tags' | 'pushByDigest'>,
  context: BuildContext,
  registries: Registries,
  artifact: Artifact,
  log: Logger
): Promise<Comparison | undefined> {
  // Fan-out legs are compared by the job that merges them.
  if (!context.baseCommit || inputs.pushByDigest) return undefined
  return log.group('Compare with the base branch', () =>
    compare(inputs, context, registries, artifact, log)
  )
}

async function compare(
  inputs: Pick<Inputs, 'image' | 'tags'>,
  context: BuildContext,
  registries: Registries,
  artifact: Artifact,
  log: Logger
): Promise<Comparison | undefined> {
  // Templates naming the commit, and nothing that belongs to this run (its number or date).
  const templates = inputs.tags.filter(
    t =>
      /\{\{\s*(sha|short_sha)\s*\}\}/.test(t) &&
      !/\{\{\s*(run_number|date|pr)\s*\}\}/.test(t)
  )
  if (!context.baseCommit || templates.length === 0) return undefined
  try {
    const [tag] = renderTags([templates[0]], {
      ...context,
      sha: context.baseCommit,
      branch: context.baseBranch,
      pr: undefined
    }).tags
    const reference = `${inputs.image}:${tag}`
    const theirs = await readRemote(
      registries.client(inputs.image.registry),
      inputs.image,
      tag
    )
    if (!theirs) {
      log.info(
        `no image for the base commit ${context.baseCommit.slice(0, 7)} (${reference}); nothing to compare`
      )
      return undefined
    }
    const comparison = compareImages(artifact, { ...theirs, reference })
    log.info(`compared with ${reference} (${theirs.digest})`)
    return comparison
  } catch (error) {
    log.warning(
      `could not compare with the base branch's image: ${(error as Error).message}`
    )
    return undefined
  }
}
