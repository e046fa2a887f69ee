import {
  image,
  index,
  type Artifact,
  type Blob,
  type Image
} from '../oci/image'
import {
  rfc3339,
  type ContainerConfig,
  type HistoryEntry,
  type ImageConfig
} from '../oci/types'
import type { Inputs } from '../inputs'
import { annotationKeys } from '../oci/annotations'
import type { BasePlatform, ResolvedBase } from './base'
import type { BuildContext } from './context'

export type ConfigInputs = Pick<
  Inputs,
  'entrypoint' | 'cmd' | 'env' | 'workdir' | 'user' | 'labels'
>

/** The standard labels, from the run's facts; `created` is the source date, never the wall clock. */
function standardLabels(context: BuildContext): Record<string, string> {
  const labels: Record<string, string> = {
    [annotationKeys.created]: rfc3339(context.sourceDateEpoch)
  }
  if (context.sha) labels[annotationKeys.revision] = context.sha
  if (context.sourceUrl) labels[annotationKeys.source] = context.sourceUrl
  if (context.version) labels[annotationKeys.version] = context.version
  return labels
}

function mergeEnv(
  base: string[] | undefined,
  overrides: [string, string][]
): string[] {
  const env = [...(base ?? [])]
  for (const [key, value] of overrides) {
    const i = env.findIndex(e => e.split('=', 1)[0] === key)
    if (i >= 0) env[i] = `${key}=${value}`
    else env.push(`${key}=${value}`)
  }
  return env
}

/**
 * The image config: the base's, with our layers appended to `rootfs` and `history`, and the
 * container settings from the inputs. Setting an entrypoint clears the base's cmd, as Docker does.
 */
function assembleConfig(
  base: ImageConfig,
  layers: readonly Blob[],
  inputs: ConfigInputs,
  context: BuildContext
): ImageConfig {
  const created = rfc3339(context.sourceDateEpoch)
  const container: ContainerConfig = { ...(base.config ?? {}) }
  if (inputs.entrypoint) {
    container.Entrypoint = inputs.entrypoint
    if (!inputs.cmd) delete container.Cmd
  }
  if (inputs.cmd) container.Cmd = inputs.cmd
  if (inputs.env.length) container.Env = mergeEnv(container.Env, inputs.env)
  if (inputs.workdir) container.WorkingDir = inputs.workdir
  if (inputs.user) container.User = inputs.user
  container.Labels = {
    ...(container.Labels ?? {}),
    ...standardLabels(context),
    ...inputs.labels
  }

  const history: HistoryEntry[] = [...(base.history ?? [])]
  for (const layer of layers) {
    history.push({
      created,
      created_by: `imprint: ${layer.built?.source ?? '?'} → ${layer.built?.destination ?? '?'}`,
      comment: `imprint, ${layer.built?.compressor ?? 'unknown compressor'}`
    })
  }
  return {
    ...base,
    created,
    config: container,
    rootfs: {
      type: 'layers',
      diff_ids: [
        ...base.rootfs.diff_ids,
        ...layers.map(l => {
          if (!l.built)
            throw new Error('assembleConfig: a built layer lacks its diffID')
          return l.built.diffId
        })
      ]
    },
    history
  }
}

function baseAnnotations(
  base: ResolvedBase,
  digest: string | undefined
): Record<string, string> {
  if (!base.name || !digest) return {}
  return {
    [annotationKeys.baseName]: base.name,
    [annotationKeys.baseDigest]: digest
  }
}

/** One image per platform on top of its base; an index when there is more than one platform. */
export function assemble(
  base: ResolvedBase,
  layersPerPlatform: readonly (readonly Blob[])[],
  inputs: ConfigInputs & Pick<Inputs, 'annotations'>,
  context: BuildContext
): Artifact {
  const images: Image[] = base.platforms.map((platform: BasePlatform, i) => {
    const layers = layersPerPlatform[i]
    const config = assembleConfig(platform.config, layers, inputs, context)
    return image(platform.platform, config, [...platform.layers, ...layers], {
      ...baseAnnotations(base, platform.digest),
      ...inputs.annotations
    })
  })
  if (images.length === 1) return images[0]
  return index(images, {
    ...baseAnnotations(base, base.digest),
    ...inputs.annotations
  })
}
