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

/**
 * A release tag as semver (`v1.2.3`, `1.2.3-rc.1`; the `v` is optional). A pre-release names
 * only `{{version}}`: the moving `{{major}}` and `{{minor}}` tags are for releases.
 */
function semver(
  gitTag: string | undefined
): Partial<Record<'version' | 'major' | 'minor' | 'patch', string>> {
  const match =
    /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(
      gitTag ?? ''
    )
  if (!match) return {}
  const [, major, minor, patch, pre, build] = match
  // `+` cannot be in a tag: build metadata joins with `-`.
  const version = `${major}.${minor}.${patch}${pre ? `-${pre}` : ''}${build ? `-${build}` : ''}`
  return pre ? { version } : { version, major, minor, patch }
}

/** What a template needs that this run lacks, for the notice. */
const lacking: Record<string, string> = {
  sha: 'no commit (run inside a git checkout)',
  short_sha: 'no commit (run inside a git checkout)',
  branch: 'no branch on this event',
  pr: 'no pull request on this event',
  run_number: 'no workflow run',
  base_digest: 'no base image (scratch, or a merge of digests)',
  version: 'no semver git tag on this event (refs/tags/v1.2.3)',
  major:
    'no release git tag on this event (refs/tags/v1.2.3, not a pre-release)',
  minor:
    'no release git tag on this event (refs/tags/v1.2.3, not a pre-release)',
  patch:
    'no release git tag on this event (refs/tags/v1.2.3, not a pre-release)'
}

export interface RenderedTags {
  tags: string[]
  /** Templates skipped because a placeholder has no value on this event, and why. */
  skipped: string[]
}

/**
 * Renders the `tags` templates. One list serves branch pushes and release tags alike: a template
 * whose placeholder has no value on this event is skipped (and said so); it is an error only when
 * no tag is left, or a placeholder is unknown, or a result is no valid tag.
 */
export function renderTags(
  templates: readonly string[],
  context: Pick<
    BuildContext,
    'sha' | 'branch' | 'pr' | 'runNumber' | 'sourceDateEpoch' | 'version'
  >,
  extra: { baseDigest?: string } = {}
): RenderedTags {
  const values: Record<string, string | undefined> = {
    sha: context.sha,
    short_sha: context.sha?.slice(0, 7),
    branch: context.branch === undefined ? undefined : tagSafe(context.branch),
    pr: context.pr === undefined ? undefined : String(context.pr),
    run_number: context.runNumber,
    date: dateOf(context.sourceDateEpoch),
    base_digest: extra.baseDigest?.slice(
      'sha256:'.length,
      'sha256:'.length + 12
    ),
    ...semver(context.version)
  }
  const known = Object.keys(lacking).concat('date')
  const tags: string[] = []
  const skipped: string[] = []
  for (const template of templates) {
    let missing: string | undefined
    const tag = template.replace(
      /\{\{\s*([a-z_]+)\s*\}\}/g,
      (_, key: string) => {
        if (!known.includes(key)) {
          throw new InputError(
            'tags',
            `"${template}" uses the unknown placeholder {{${key}}} (known: ${known.join(', ')})`
          )
        }
        const value = values[key]
        if (value === undefined) missing ??= key
        return value ?? ''
      }
    )
    if (missing) {
      skipped.push(
        `"${template}" skipped: {{${missing}}} has no value (${lacking[missing]})`
      )
      continue
    }
    try {
      validateTag(tag)
    } catch (error) {
      throw new InputError('tags', (error as Error).message)
    }
    if (!tags.includes(tag)) tags.push(tag)
  }
  if (tags.length === 0 && templates.length > 0) {
    throw new InputError(
      'tags',
      `no tag is left on this event: ${skipped.join('; ')}; list a template this event can fill`
    )
  }
  return { tags, skipped }
}
