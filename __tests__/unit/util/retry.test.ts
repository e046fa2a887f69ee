import { describe, expect, it } from '@jest/globals'
import { isTemporary, RegistryError } from '../../../src/registry/errors'
import { delayFor, withRetries } from '../../../src/util/retry'

const policy = {
  attempts: 4,
  baseDelayMs: 100,
  factor: 3,
  maxDelayMs: 1000,
  jitter: 0
}

describe('retry policy', () => {
  it('backs off exponentially, honouring Retry-After over backoff', () => {
    expect([0, 1, 2, 3].map(n => delayFor(new Error('x'), n, policy))).toEqual([
      100, 300, 900, 1000
    ])
    expect(
      delayFor(
        new RegistryError('PUT', 'https://r/', 429, [], '', 1500),
        0,
        policy
      )
    ).toBe(1500)
    // A registry asking for an hour does not stall the job: capped at twice the longest backoff.
    expect(
      delayFor(
        new RegistryError('PUT', 'https://r/', 429, [], '', 3_600_000),
        0,
        policy
      )
    ).toBe(2000)
  })

  it('retries temporary errors and stops on permanent ones', async () => {
    let calls = 0
    const result = await withRetries(
      async () => {
        if (++calls < 3)
          throw new RegistryError('GET', 'https://r/', 503, [], '')
        return 'ok'
      },
      { ...policy, baseDelayMs: 1 },
      isTemporary
    )
    expect(result).toBe('ok')
    expect(calls).toBe(3)
    calls = 0
    await expect(
      withRetries(
        async () => {
          calls++
          throw new RegistryError('GET', 'https://r/', 403, ['DENIED'], 'no')
        },
        policy,
        isTemporary
      )
    ).rejects.toThrow(/403 DENIED: no/)
    expect(calls).toBe(1)
  })
})
