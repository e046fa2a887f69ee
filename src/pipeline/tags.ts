import { InputError } from '../errors'
import { validateTag } from '../oci/reference'
import type { BuildContext } from './context'

function dateOf(epochSeconds: number): string {
  return new Date(epochSeconds * 1000)
    .toISOString()
    .slice(0, 10)
    .replace(/-/g, '')
}

/** A branch name made into a valid tag: `feature/x` → `feature-x`. */
function tagSafe(value: string): string {
  return value
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128)
}

/** Renders the `tags` templates; every placeholder must have a value and every result be a valid tag. */
export function renderTags(
  templates: readonly string[],
  context: BuildContext
): string[] {
  const values: Record<string, string | undefined> = {
    sha: context.sha,
    short_sha: context.sha?.slice(0, 7),
    branch: context.branch === undefined ? undefined : tagSafe(context.branch),
    pr: context.pr === undefined ? undefined : String(context.pr),
    run_number: context.runNumber,
    date: dateOf(context.sourceDateEpoch)
  }
  const tags: string[] = []
  for (const template of templates) {
    const tag = template.replace(
      /\{\{\s*([a-z_]+)\s*\}\}/g,
      (_, key: string) => {
        if (!(key in values)) {
          throw new InputError(
            'tags',
            `"${template}" uses the unknown placeholder {{${key}}} (known: ${Object.keys(values).join(', ')})`
          )
        }
        const value = values[key]
        if (value === undefined) {
          throw new InputError(
            'tags',
            `"${template}" needs {{${key}}}, which this run does not have${key === 'sha' || key === 'short_sha' ? ' (no commit: run inside a git checkout or set tags explicitly)' : ''}`
          )
        }
        return value
      }
    )
    try {
      validateTag(tag)
    } catch (error) {
      throw new InputError('tags', (error as Error).message)
    }
    if (!tags.includes(tag)) tags.push(tag)
  }
  return tags
}
