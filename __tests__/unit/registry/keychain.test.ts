import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { Registry } from '../../../src/oci/reference'
import { defaultKeychain } from '../../../src/registry/keychain'

function dockerConfig(auths: Record<string, object>): string {
  const dir = mkdtempSync(join(tmpdir(), 'imprint-docker-config-'))
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths }))
  return dir
}
const b64 = (s: string) => Buffer.from(s).toString('base64')

describe('defaultKeychain', () => {
  const ghcr = Registry.parse('ghcr.io')
  const hub = Registry.parse('docker.io')

  it('prefers the inputs, for the image registry only', async () => {
    const keychain = defaultKeychain({
      env: {},
      explicit: { registry: ghcr, username: 'in', password: 'put' },
      dockerConfigDir: dockerConfig({
        'ghcr.io': { auth: b64('cfg:pw') },
        'quay.io': { auth: b64('q:pw') }
      }),
      githubToken: 'tok'
    })
    expect(await keychain.resolve(ghcr)).toMatchObject({
      username: 'in',
      password: 'put'
    })
    expect(await keychain.resolve(Registry.parse('quay.io'))).toMatchObject({
      username: 'q',
      password: 'pw',
      origin: 'docker config.json'
    })
  })

  it('reads docker config auths in their various key spellings, then the GitHub token for ghcr.io', async () => {
    const keychain = defaultKeychain({
      env: {},
      dockerConfigDir: dockerConfig({
        'https://index.docker.io/v1/': { auth: b64('hub:pw:with:colons') },
        'https://registry.example:5000': { username: 'u', password: 'p' }
      }),
      githubToken: 'ghs_token',
      githubActor: 'octocat'
    })
    expect(await keychain.resolve(hub)).toMatchObject({
      username: 'hub',
      password: 'pw:with:colons'
    })
    expect(
      await keychain.resolve(Registry.parse('registry.example:5000'))
    ).toMatchObject({ username: 'u', password: 'p' })
    expect(await keychain.resolve(ghcr)).toEqual({
      username: 'octocat',
      password: 'ghs_token',
      origin: 'github-token'
    })
    expect(await keychain.resolve(Registry.parse('gcr.io'))).toBeUndefined()
  })
})
