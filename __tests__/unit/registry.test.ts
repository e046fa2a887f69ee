import { describe, expect, it } from '@jest/globals'
import { parseChallenge } from '../../src/registry/auth'
import { redact, RegistryError, retryAfter } from '../../src/registry/errors'
import { delayFor, withRetries } from '../../src/registry/retry'

const policy = {
  attempts: 4,
  baseDelayMs: 100,
  factor: 3,
  maxDelayMs: 1000,
  jitter: 0
}

describe('registry transport pieces', () => {
  it('parses bearer and basic challenges, quoted commas included', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push"'
      )
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:a/b:pull,push'
      }
    })
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({
      scheme: 'basic',
      params: { realm: 'Registry Realm' }
    })
  })

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfter('3')).toBe(3000)
    expect(
      retryAfter(
        'Wed, 21 Oct 2015 07:28:05 GMT',
        Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')
      )
    ).toBe(5000)
    expect(retryAfter(null)).toBeUndefined()
    expect(retryAfter('soon')).toBeUndefined()
  })

  it('classifies temporary failures like go-containerregistry', () => {
    const error = (status: number, codes: string[] = []) =>
      new RegistryError('GET', 'https://r/v2/', status, codes, '')
    expect(error(503).temporary).toBe(true)
    expect(error(429).temporary).toBe(true)
    expect(error(408).temporary).toBe(true)
    expect(error(401).temporary).toBe(false)
    expect(error(404).temporary).toBe(false)
    expect(error(400, ['TOOMANYREQUESTS']).temporary).toBe(true)
    expect(error(500, ['MANIFEST_INVALID']).temporary).toBe(false)
  })

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
      { ...policy, baseDelayMs: 1 }
    )
    expect(result).toBe('ok')
    expect(calls).toBe(3)
    calls = 0
    await expect(
      withRetries(async () => {
        calls++
        throw new RegistryError('GET', 'https://r/', 403, ['DENIED'], 'no')
      }, policy)
    ).rejects.toThrow(/403 DENIED: no/)
    expect(calls).toBe(1)
  })

  it('redacts credentials and session state from URLs', () => {
    expect(
      redact(
        'https://user:pw@r.example/v2/a/blobs/uploads/x?_state=secret&digest=sha256:1'
      )
    ).toBe(
      'https://r.example/v2/a/blobs/uploads/x?_state=REDACTED&digest=sha256%3A1'
    )
  })
})
