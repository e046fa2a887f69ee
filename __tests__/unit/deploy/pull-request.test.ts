import { describe, expect, it } from '@jest/globals'
import { pullRequestBranch } from '../../../src/deploy/pull-request'
import { Repository } from '../../../src/oci/reference'

const target = {
  repository: Repository.parse('ghcr.io/acme/api'),
  tag: 'v1',
  digest: `sha256:${'a'.repeat(64)}` as const
}

describe('pull request branches', () => {
  it('keep apart images whose names sanitise alike, and base branches', () => {
    const a = { ...target, repository: Repository.parse('ghcr.io/a-b/c') }
    const b = { ...target, repository: Repository.parse('ghcr.io/a/b-c') }
    expect(pullRequestBranch(a, 'main')).not.toBe(pullRequestBranch(b, 'main'))
    expect(pullRequestBranch(a, 'main')).toMatch(
      /^imprint\/main\/ghcr-io-a-b-c-[0-9a-f]{8}$/
    )
    expect(pullRequestBranch(a, 'prod')).not.toBe(pullRequestBranch(a, 'main'))
  })
})
