import { describe, expect, it } from '@jest/globals'
import type { BuildContext } from '../../../src/pipeline/context'
import { renderTags } from '../../../src/pipeline/tags'

describe('renderTags', () => {
  const context: BuildContext = {
    sha: 'a'.repeat(40),
    branch: 'feature/Login-page',
    pr: 42,
    runNumber: '7',
    sourceDateEpoch: 1700000000,
    sourceDateOrigin: 'test',
    previousCommits: [],
    serverUrl: 'https://github.com',
    apiUrl: 'https://api.github.com',
    workspace: '.',
    tempDir: '/tmp'
  }
  it('fills every placeholder and sanitises branch names', () => {
    expect(
      renderTags(
        [
          '{{sha}}',
          '{{short_sha}}',
          '{{ branch }}',
          'pr-{{pr}}',
          'run-{{run_number}}',
          '{{date}}-{{short_sha}}'
        ],
        context
      ).tags
    ).toEqual([
      'a'.repeat(40),
      'aaaaaaa',
      'feature-Login-page',
      'pr-42',
      'run-7',
      '20231114-aaaaaaa'
    ])
  })
  it('drops duplicates', () => {
    expect(renderTags(['{{sha}}', '{{sha}}'], context).tags).toHaveLength(1)
  })

  it('skips a template whose placeholder this event lacks, and fails only when none is left', () => {
    const onBranch = renderTags(
      ['{{sha}}', 'v{{version}}', '{{major}}.{{minor}}', 'pr-{{pr}}'],
      { ...context, pr: undefined }
    )
    expect(onBranch.tags).toEqual(['a'.repeat(40)])
    expect(onBranch.skipped).toEqual([
      '"v{{version}}" skipped: {{version}} has no value (no semver git tag on this event (refs/tags/v1.2.3))',
      '"{{major}}.{{minor}}" skipped: {{major}} has no value (no release git tag on this event (refs/tags/v1.2.3, not a pre-release))',
      '"pr-{{pr}}" skipped: {{pr}} has no value (no pull request on this event)'
    ])
    expect(() =>
      renderTags(['pr-{{pr}}'], { ...context, pr: undefined })
    ).toThrow(
      /Input "tags": no tag is left on this event: "pr-\{\{pr\}\}" skipped/
    )
    expect(() => renderTags(['{{nope}}'], context)).toThrow(
      /unknown placeholder \{\{nope\}\}/
    )
  })

  it.each([
    // {{major}}.{{minor}}.{{patch}} is {{version}} again: listed once.
    ['v1.2.3', ['1.2.3', '1', '1.2']],
    ['1.20.0', ['1.20.0', '1', '1.20']],
    ['v2.0.0-rc.1', ['2.0.0-rc.1']],
    ['v1.2.3+build.7', ['1.2.3-build.7', '1', '1.2', '1.2.3']],
    ['release-7', []]
  ])('reads the release tag %s as semver', (version, expected) => {
    const { tags } = renderTags(
      [
        '{{version}}',
        '{{major}}',
        '{{major}}.{{minor}}',
        '{{major}}.{{minor}}.{{patch}}',
        '{{sha}}'
      ],
      { ...context, version }
    )
    expect(tags.filter(t => t !== 'a'.repeat(40))).toEqual(expected)
  })

  it('names the base by the first 12 hex of its digest', () => {
    const digest = `sha256:${'0123456789abcdef'.repeat(4)}`
    expect(
      renderTags(['{{short_sha}}-{{base_digest}}'], context, {
        baseDigest: digest
      }).tags
    ).toEqual(['aaaaaaa-0123456789ab'])
    expect(renderTags(['{{sha}}', '{{base_digest}}'], context).skipped).toEqual(
      [
        '"{{base_digest}}" skipped: {{base_digest}} has no value (no base image (scratch, or a merge of digests))'
      ]
    )
  })
})
