import { describe, expect, it } from '@jest/globals'
import { Registry } from '../../../src/oci/reference'
import { Authenticator, parseChallenge } from '../../../src/registry/auth'
import {
  NetworkError,
  RegistryError,
  RegistryUnreachable
} from '../../../src/registry/errors'
import type { HttpResponse } from '../../../src/registry/http'
import type { RegistryRequest } from '../../../src/registry/transport'
import { silentLogger } from '../../../src/util/log'

describe('parseChallenge', () => {
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
})

describe('Authenticator', () => {
  const registry = Registry.parse('registry.example:5000')
  const options = {
    registry,
    baseUrl: 'https://registry.example:5000',
    keychain: { resolve: async () => undefined },
    retry: { attempts: 3, baseDelayMs: 1, factor: 1, maxDelayMs: 1, jitter: 0 },
    log: silentLogger,
    limits: { idleMs: 1000, deadlineMs: 1000, answerMs: 1000 }
  }
  const request: RegistryRequest = {
    method: 'GET',
    url: 'https://registry.example:5000/v2/a/manifests/x',
    scopes: ['repository:a:pull'],
    ok: [200]
  }
  const answer = (status: number) =>
    ({
      status,
      headers: new Headers(),
      url: request.url,
      discard: async () => {},
      prefix: async () => ''
    }) as unknown as HttpResponse

  it('gives up on an unreachable registry for the run, after three pings', async () => {
    let calls = 0
    const auth = new Authenticator(async req => {
      calls++
      throw new NetworkError(req.method, req.url, new Error('ECONNREFUSED'))
    }, options)
    await expect(auth.transport(request)).rejects.toBeInstanceOf(
      RegistryUnreachable
    )
    expect(calls).toBe(3)
    await expect(auth.transport(request)).rejects.toThrow(
      /registry registry.example:5000 cannot be reached/
    )
    expect(calls).toBe(3)
  })

  it('pings again after a ping that failed with a status (a 503)', async () => {
    const statuses = [503, 200, 200]
    const sent: string[] = []
    const auth = new Authenticator(async req => {
      sent.push(new URL(req.url).pathname)
      return answer(statuses.shift() ?? 200)
    }, options)
    await expect(auth.transport(request)).rejects.toBeInstanceOf(RegistryError)
    expect((await auth.transport(request)).status).toBe(200)
    expect(sent).toEqual(['/v2/', '/v2/', '/v2/a/manifests/x'])
  })

  it.each([
    [
      'a password',
      { username: 'robot', password: 'helper-Secret', origin: 'helper' },
      ['helper-Secret', Buffer.from('robot:helper-Secret').toString('base64')]
    ],
    [
      'an identity token',
      {
        username: '<token>',
        password: '',
        identityToken: 'refresh-Secret',
        origin: 'helper'
      },
      ['refresh-Secret']
    ]
  ])(
    'masks %s from the keychain, and the token it buys',
    async (_what, credential, secrets) => {
      const masked: string[] = []
      const realm = 'https://auth.example/token'
      const auth = new Authenticator(
        async req => {
          if (req.url === realm || req.url.startsWith(`${realm}?`)) {
            return {
              ...answer(200),
              bytes: async () => Buffer.from('{"token":"bought-token"}')
            } as unknown as HttpResponse
          }
          if (!req.headers?.authorization) {
            const res = answer(401)
            res.headers.set(
              'www-authenticate',
              `Bearer realm="${realm}",service="s"`
            )
            return res
          }
          return answer(200)
        },
        {
          ...options,
          keychain: { resolve: async () => credential },
          log: { ...silentLogger, secret: value => masked.push(value) }
        }
      )
      expect((await auth.transport(request)).status).toBe(200)
      expect(masked).toEqual(
        expect.arrayContaining([...secrets, 'bought-token'])
      )
    }
  )
})
