import { describe, expect, it } from '@jest/globals'
import { parseReference, Repository } from '../../../src/oci/reference'

const digest = `sha256:${'a'.repeat(64)}`

describe('parseReference', () => {
  it.each([
    [
      'alpine',
      'docker.io/library/alpine',
      undefined,
      undefined,
      'index.docker.io'
    ],
    [
      'alpine:3.20',
      'docker.io/library/alpine',
      '3.20',
      undefined,
      'index.docker.io'
    ],
    [
      'docker.io/alpine',
      'docker.io/library/alpine',
      undefined,
      undefined,
      'index.docker.io'
    ],
    [
      'index.docker.io/library/alpine',
      'docker.io/library/alpine',
      undefined,
      undefined,
      'index.docker.io'
    ],
    [
      'bitnami/redis:7',
      'docker.io/bitnami/redis',
      '7',
      undefined,
      'index.docker.io'
    ],
    ['ghcr.io/acme/api', 'ghcr.io/acme/api', undefined, undefined, 'ghcr.io'],
    ['localhost/app', 'localhost/app', undefined, undefined, 'localhost'],
    [
      'localhost:5000/team/app:v1',
      'localhost:5000/team/app',
      'v1',
      undefined,
      'localhost:5000'
    ],
    [
      '127.0.0.1:5000/a/b/c@' + digest,
      '127.0.0.1:5000/a/b/c',
      undefined,
      digest,
      '127.0.0.1:5000'
    ],
    [
      'cgr.dev/chainguard/static:latest@' + digest,
      'cgr.dev/chainguard/static',
      'latest',
      digest,
      'cgr.dev'
    ],
    ['[::1]:5000/app', '[::1]:5000/app', undefined, undefined, '[::1]:5000'],
    [
      'registry.example/a__b/c-d/e.f',
      'registry.example/a__b/c-d/e.f',
      undefined,
      undefined,
      'registry.example'
    ]
  ])('[%s] → %s tag=%s digest=%s', (input, repository, tag, dig, apiHost) => {
    const ref = parseReference(input)
    expect(ref.repository.toString()).toBe(repository)
    expect(ref.tag).toBe(tag)
    expect(ref.digest).toBe(dig)
    expect(ref.repository.registry.apiHost).toBe(apiHost)
  })

  it.each([
    ['', /empty/],
    ['Ghcr.io/Acme/api', /lower-case/],
    ['ghcr.io/acme/API', /lower-case/],
    ['ghcr.io/acme/api:bad tag', /invalid tag/],
    ['ghcr.io/acme/api@sha256:abc', /invalid digest/],
    ['ghcr.io/acme/-api', /not a valid repository path component/],
    ['ghcr.io/acme//api', /not a valid repository path component/],
    ['ghcr.io/' + 'a'.repeat(256), /longer than 255/]
  ])('rejects %p', (input, message) => {
    expect(() => parseReference(input)).toThrow(message)
  })

  it('knows which registries are loopback', () => {
    expect(
      parseReference('localhost:5000/a').repository.registry.isLoopback
    ).toBe(true)
    expect(
      parseReference('127.0.0.9:5000/a').repository.registry.isLoopback
    ).toBe(true)
    expect(parseReference('[::1]:5000/a').repository.registry.isLoopback).toBe(
      true
    )
    expect(parseReference('ghcr.io/a').repository.registry.isLoopback).toBe(
      false
    )
    expect(
      parseReference('127.0.0.1.example.com/a').repository.registry.isLoopback
    ).toBe(false)
  })

  it('parses repositories without tag or digest only', () => {
    expect(Repository.parse('ghcr.io/acme/api').tag('v1').toString()).toBe(
      'ghcr.io/acme/api:v1'
    )
    expect(() => Repository.parse('ghcr.io/acme/api:v1')).toThrow(
      /without a tag or digest/
    )
  })
})
