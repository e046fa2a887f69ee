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
      )
    ).toEqual([
      'a'.repeat(40),
      'aaaaaaa',
      'feature-Login-page',
      'pr-42',
      'run-7',
      '20231114-aaaaaaa'
    ])
  })
  it('drops duplicates and refuses placeholders without a value', () => {
    expect(renderTags(['{{sha}}', '{{sha}}'], context)).toHaveLength(1)
    expect(() =>
      renderTags(['pr-{{pr}}'], { ...context, pr: undefined })
    ).toThrow(/needs \{\{pr\}\}/)
  })
})
