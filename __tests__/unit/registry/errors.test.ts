import { describe, expect, it } from '@jest/globals'
import { redact, RegistryError, retryAfter } from '../../../src/registry/errors'

describe('registry errors', () => {
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
