import { describe, expect, it } from '@jest/globals'
import { deployedCommit } from '../../../src/deploy/ordering'

const sha = '0123456789abcdef0123456789abcdef01234567'
const digest = `sha256:${'ab'.repeat(32)}`

describe('deployedCommit', () => {
  it.each([
    [`ghcr.io/acme/app:${sha}`, sha],
    [`ghcr.io/acme/app:${sha}@${digest}`, sha],
    [`localhost:5000/acme/app:${sha}@${digest}`, sha],
    // The tag the base-moved notice recommends, and the usual prefixed forms.
    [`ghcr.io/acme/app:${sha}-1611dafbade1@${digest}`, sha],
    [`ghcr.io/acme/app:sha-${sha}`, sha],
    [`main-${sha}`, sha],
    [sha, sha]
  ])('finds the commit in %s', (reference, expected) => {
    expect(deployedCommit(reference)).toBe(expected)
  })

  it.each([
    // A digest, a registry port or a longer hex run is not a commit.
    [`ghcr.io/acme/app@${digest}`],
    [`ghcr.io/acme/app:1.2.3@${digest}`],
    [`ghcr.io/acme/app:${'a'.repeat(41)}`],
    [`ghcr.io/${sha}/app:latest`],
    ['ghcr.io/acme/app'],
    ['v1.2.3']
  ])('finds none in %s', reference => {
    expect(deployedCommit(reference)).toBeUndefined()
  })
})
