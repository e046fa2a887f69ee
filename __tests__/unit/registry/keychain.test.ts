import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { isAbsolute, join, relative } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { Registry, Repository } from '../../../src/oci/reference'
import {
  defaultKeychain,
  type KeychainOptions
} from '../../../src/registry/keychain'

const temp = (prefix: string): string =>
  mkdtempSync(join(tmpdir(), `imprint-${prefix}-`))

function writeJson(path: string, content: object): string {
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, JSON.stringify(content))
  return path
}

function dockerConfig(
  auths: Record<string, object>,
  extra: object = {}
): string {
  const dir = temp('docker-config')
  writeJson(join(dir, 'config.json'), { auths, ...extra })
  return dir
}
const b64 = (s: string) => Buffer.from(s).toString('base64')
const auth = (user: string, password: string) => ({
  auth: b64(`${user}:${password}`)
})

/**
 * A real `docker-credential-<name>` script in a directory of its own: it records what it was
 * asked on stdin (and how often) in `<dir>/asked`, then runs `body`.
 */
function helperOnPath(name: string, body: string): { dir: string } {
  const dir = temp('helper')
  const script = join(dir, `docker-credential-${name}`)
  writeFileSync(
    script,
    `#!/bin/sh\n[ "$1" = get ] || exit 3\nprintf '%s\\n' "$(cat)" >> "${dir}/asked"\n${body}\n`
  )
  chmodSync(script, 0o755)
  return { dir }
}
const asked = (helper: { dir: string }): string[] => {
  try {
    return readFileSync(join(helper.dir, 'asked'), 'utf8').trim().split('\n')
  } catch {
    return []
  }
}
const answering = (username: string, secret: string): string =>
  `printf '%s' '${JSON.stringify({ ServerURL: 'x', Username: username, Secret: secret })}'`

/** An environment with nothing from this machine: only the helper directories and the shell's tools. */
function env(
  helpers: { dir: string }[] = [],
  extra: NodeJS.ProcessEnv = {}
): NodeJS.ProcessEnv {
  return {
    HOME: temp('home'),
    XDG_RUNTIME_DIR: temp('runtime'),
    PATH: [...helpers.map(h => h.dir), '/usr/bin', '/bin'].join(':'),
    ...extra
  }
}

const ghcr = Registry.parse('ghcr.io')
const hub = Registry.parse('docker.io')
const local = Registry.parse('registry.example:5000')
const quay = Registry.parse('quay.io')

describe('defaultKeychain', () => {
  it('prefers the inputs, for the image registry only', async () => {
    const keychain = defaultKeychain({
      env: env(),
      explicit: { registry: ghcr, username: 'in', password: 'put' },
      dockerConfigDir: dockerConfig({
        'ghcr.io': auth('cfg', 'pw'),
        'quay.io': auth('q', 'pw')
      }),
      githubToken: 'tok'
    })
    expect(await keychain.resolve(ghcr)).toMatchObject({
      username: 'in',
      password: 'put',
      origin: 'the username and password inputs'
    })
    expect(await keychain.resolve(quay)).toMatchObject({
      username: 'q',
      password: 'pw',
      origin: expect.stringMatching(/^auths\["quay\.io"\] in \/.*config\.json$/)
    })
  })

  it('reads docker config auths in their various key spellings, then the GitHub token for ghcr.io', async () => {
    const keychain = defaultKeychain({
      env: env(),
      dockerConfigDir: dockerConfig({
        'https://index.docker.io/v1/': auth('hub', 'pw:with:colons'),
        'https://registry.example:5000': { username: 'u', password: 'p' }
      }),
      githubToken: 'ghs_token',
      githubActor: 'octocat'
    })
    expect(await keychain.resolve(hub)).toMatchObject({
      username: 'hub',
      password: 'pw:with:colons'
    })
    expect(await keychain.resolve(local)).toMatchObject({
      username: 'u',
      password: 'p'
    })
    expect(await keychain.resolve(ghcr)).toEqual({
      username: 'octocat',
      password: 'ghs_token',
      origin: 'the github-token input'
    })
    expect(await keychain.resolve(Registry.parse('gcr.io'))).toBeUndefined()
  })

  it('finds config.json through DOCKER_CONFIG, then ~/.docker', async () => {
    const viaEnv = defaultKeychain({
      env: env([], {
        DOCKER_CONFIG: dockerConfig({ 'quay.io': auth('env', 'pw') })
      })
    })
    expect(await viaEnv.resolve(quay)).toMatchObject({ username: 'env' })
    const home = temp('home')
    writeJson(join(home, '.docker', 'config.json'), {
      auths: { 'quay.io': auth('home', 'pw') }
    })
    const viaHome = defaultKeychain({ env: env([], { HOME: home }) })
    expect(await viaHome.resolve(quay)).toMatchObject({
      username: 'home',
      origin: `auths["quay.io"] in ${join(home, '.docker', 'config.json')}`
    })
  })

  describe('docker credential helpers', () => {
    it('asks the credHelpers entry of the registry, with its key as written, before auths', async () => {
      const helper = helperOnPath('imprinttest', answering('robot', 'h3lper'))
      const dir = dockerConfig(
        { 'registry.example:5000': auth('stale', 'pw') },
        {
          credHelpers: { 'registry.example:5000': 'imprinttest' },
          credsStore: 'absent'
        }
      )
      const keychain = defaultKeychain({
        env: env([helper]),
        dockerConfigDir: dir
      })
      expect(await keychain.resolve(local)).toEqual({
        username: 'robot',
        password: 'h3lper',
        origin: `docker-credential-imprinttest (credHelpers["registry.example:5000"] in ${join(dir, 'config.json')})`
      })
      expect(asked(helper)).toEqual(['registry.example:5000'])
    })

    it('asks the credsStore for Docker Hub as https://index.docker.io/v1/; <token> means an identity token', async () => {
      const helper = helperOnPath('store', answering('<token>', 'refresh-me'))
      const dir = dockerConfig({}, { credsStore: 'store' })
      const keychain = defaultKeychain({
        env: env([helper]),
        dockerConfigDir: dir
      })
      expect(await keychain.resolve(hub)).toEqual({
        username: '<token>',
        password: '',
        identityToken: 'refresh-me',
        origin: `docker-credential-store (credsStore in ${join(dir, 'config.json')})`
      })
      expect(asked(helper)).toEqual(['https://index.docker.io/v1/'])
    })

    it('asks the credsStore under the server docker login left in auths, after an auths entry with credentials', async () => {
      const helper = helperOnPath('store', answering('robot', 'pw'))
      const keychain = defaultKeychain({
        env: env([helper]),
        dockerConfigDir: dockerConfig(
          {
            'https://registry.example:5000': {},
            'quay.io': auth('q', 'pw')
          },
          { credsStore: 'store' }
        )
      })
      expect(await keychain.resolve(quay)).toMatchObject({ username: 'q' })
      expect(asked(helper)).toEqual([])
      expect(await keychain.resolve(local)).toMatchObject({
        username: 'robot'
      })
      expect(asked(helper)).toEqual(['https://registry.example:5000'])
    })

    it('falls through when the helper has nothing for the registry', async () => {
      const helper = helperOnPath(
        'store',
        `echo 'credentials not found in native keychain'; exit 1`
      )
      const keychain = defaultKeychain({
        env: env([helper]),
        dockerConfigDir: dockerConfig({}, { credsStore: 'store' }),
        githubToken: 'ghs_token'
      })
      expect(await keychain.resolve(ghcr)).toMatchObject({
        origin: 'the github-token input'
      })
      expect(await keychain.resolve(quay)).toBeUndefined()
      const empty = helperOnPath('empty', answering('', ''))
      const emptyKeychain = defaultKeychain({
        env: env([empty]),
        dockerConfigDir: dockerConfig({}, { credsStore: 'empty' })
      })
      expect(await emptyKeychain.resolve(quay)).toBeUndefined()
    })

    it('runs a helper once per registry', async () => {
      const helper = helperOnPath('store', answering('robot', 'pw'))
      const keychain = defaultKeychain({
        env: env([helper]),
        dockerConfigDir: dockerConfig({}, { credsStore: 'store' })
      })
      await Promise.all([keychain.resolve(quay), keychain.resolve(quay)])
      await keychain.resolve(quay)
      await keychain.resolve(local)
      expect(asked(helper)).toEqual(['quay.io', 'registry.example:5000'])
    })

    it('gives a helper the environment but not the action inputs', async () => {
      const helper = helperOnPath(
        'store',
        `[ -z "$INPUT_PASSWORD" ] && [ "$GCLOUD_THING" = yes ] || exit 5\n${answering('robot', 'pw')}`
      )
      const keychain = defaultKeychain({
        env: env([helper], { INPUT_PASSWORD: 'secret', GCLOUD_THING: 'yes' }),
        dockerConfigDir: dockerConfig({}, { credsStore: 'store' })
      })
      expect(await keychain.resolve(quay)).toMatchObject({ username: 'robot' })
    })

    const secret = 'HELPER-SAID-s3cr3t'
    it.each([
      [
        'fails',
        `echo '${secret}'; echo '${secret}' >&2; exit 7`,
        /^credential helper docker-credential-bad \(credsStore in \/.*config\.json\) failed for registry quay\.io \(exit status 7\); its output is not shown, as it may hold a secret$/
      ],
      [
        'prints something other than the JSON',
        `echo '${secret} {"Username":'`,
        /^credential helper docker-credential-bad \(credsStore in .*\) answered for registry quay\.io with something other than the credential JSON/
      ],
      [
        'prints JSON of another shape',
        `echo '{"username":"${secret}","secret":"${secret}"}'`,
        /answered for registry quay\.io with something other than the credential JSON/
      ],
      [
        'prints without end',
        `yes '${secret}'`,
        /printed more than 64 KiB for registry quay\.io and was stopped/
      ]
    ])(
      'one error naming the helper and the registry, without its output, when it %s',
      async (_what, body, message) => {
        const helper = helperOnPath('bad', body)
        const keychain = defaultKeychain({
          env: env([helper]),
          dockerConfigDir: dockerConfig({}, { credsStore: 'bad' }),
          helperTimeoutMs: 5000
        })
        const error = await keychain.resolve(quay).then(
          () => undefined,
          (e: Error) => e
        )
        expect(error?.message).toMatch(message)
        expect(error?.message).not.toContain(secret)
        expect(error?.message).not.toContain('Unexpected')
      }
    )

    it('stops a helper that hangs (and what it started) at the time limit', async () => {
      const helper = helperOnPath(
        'hang',
        `sleep 30 & sleep 30; echo '{"Username":"u","Secret":"late"}'`
      )
      const keychain = defaultKeychain({
        env: env([helper]),
        dockerConfigDir: dockerConfig(
          {},
          { credHelpers: { 'quay.io': 'hang' } }
        ),
        helperTimeoutMs: 300
      })
      const started = Date.now()
      await expect(keychain.resolve(quay)).rejects.toThrow(
        /^credential helper docker-credential-hang \(credHelpers\["quay\.io"\] in .*config\.json\) did not answer for registry quay\.io within 0\.3 s and was stopped$/
      )
      expect(Date.now() - started).toBeLessThan(3000)
      // The registry's answer is remembered: the helper is not run again.
      await expect(keychain.resolve(quay)).rejects.toThrow(/did not answer/)
      expect(asked(helper)).toHaveLength(1)
    })

    it('says which helper is missing from the PATH, and refuses names that are paths', async () => {
      const missing = defaultKeychain({
        env: env(),
        dockerConfigDir: dockerConfig({}, { credsStore: 'desktop' })
      })
      await expect(missing.resolve(quay)).rejects.toThrow(
        /^credential helper docker-credential-desktop \(credsStore in .*config\.json\) is not on the PATH; install it, or remove that entry to log in to quay\.io another way$/
      )
      const path = defaultKeychain({
        env: env(),
        dockerConfigDir: dockerConfig(
          {},
          { credHelpers: { 'quay.io': '../../bin/sh' } }
        )
      })
      await expect(path.resolve(quay)).rejects.toThrow(
        /names the credential helper "\.\.\/\.\.\/bin\/sh", which is not a helper name/
      )
    })

    it('looks for helpers in absolute PATH directories only: the repository cannot plant one', async () => {
      const planted = helperOnPath('desktop', answering('planted', 'stolen'))
      const installed = helperOnPath('desktop', answering('robot', 'pw'))
      const dockerConfigDir = dockerConfig({}, { credsStore: 'desktop' })
      const relativeDir = relative(process.cwd(), planted.dir)
      expect(isAbsolute(relativeDir)).toBe(false)
      const alone = defaultKeychain({
        env: env([], { PATH: `${relativeDir}:/usr/bin:/bin` }),
        dockerConfigDir
      })
      await expect(alone.resolve(quay)).rejects.toThrow(
        /docker-credential-desktop \(credsStore in .*config\.json\) is not on the PATH/
      )
      const before = defaultKeychain({
        env: env([], {
          PATH: `${relativeDir}:${installed.dir}:/usr/bin:/bin`
        }),
        dockerConfigDir
      })
      expect(await before.resolve(quay)).toMatchObject({
        username: 'robot',
        password: 'pw'
      })
      expect(asked(planted)).toEqual([])
    })
  })

  it('names a config.json that is not JSON without quoting it', async () => {
    const dir = temp('docker-config')
    writeFileSync(
      join(dir, 'config.json'),
      '{"auths": {"quay.io": {"auth": "c2VjcmV0"}}'
    )
    const error = await defaultKeychain({ env: env(), dockerConfigDir: dir })
      .resolve(quay)
      .then(
        () => undefined,
        (e: Error) => e
      )
    expect(error?.message).toBe(
      `${join(dir, 'config.json')} is not a JSON object of registry credentials; fix or remove it`
    )
  })

  describe('containers auth.json', () => {
    it('reads REGISTRY_AUTH_FILE, then $XDG_RUNTIME_DIR/containers, then ~/.config/containers, after Docker', async () => {
      const home = temp('home')
      const runtime = temp('runtime')
      const override = join(temp('authfile'), 'auth.json')
      writeJson(join(home, '.config', 'containers', 'auth.json'), {
        auths: {
          'a.example': auth('config-home', 'pw'),
          'b.example': auth('config-home', 'pw'),
          'c.example': auth('config-home', 'pw'),
          'd.example': auth('config-home', 'pw')
        }
      })
      writeJson(join(runtime, 'containers', 'auth.json'), {
        auths: {
          'a.example': auth('runtime', 'pw'),
          'b.example': auth('runtime', 'pw'),
          'c.example': auth('runtime', 'pw')
        }
      })
      writeJson(override, {
        auths: {
          'a.example': auth('override', 'pw'),
          'b.example': auth('override', 'pw')
        }
      })
      const keychain = defaultKeychain({
        env: env([], {
          HOME: home,
          XDG_RUNTIME_DIR: runtime,
          REGISTRY_AUTH_FILE: override
        }),
        dockerConfigDir: dockerConfig({ 'a.example': auth('docker', 'pw') })
      })
      const user = async (host: string) =>
        (await keychain.resolve(Registry.parse(host)))?.username
      expect(await user('a.example')).toBe('docker')
      expect(await user('b.example')).toBe('override')
      expect(await user('c.example')).toBe('runtime')
      expect(await user('d.example')).toBe('config-home')
      expect(await keychain.resolve(Registry.parse('d.example'))).toEqual({
        username: 'config-home',
        password: 'pw',
        origin: `auths["d.example"] in ${join(home, '.config', 'containers', 'auth.json')}`
      })
      expect(await user('e.example')).toBeUndefined()
    })

    it('reads $XDG_CONFIG_HOME/containers instead of ~/.config when set', async () => {
      const config = temp('xdg-config')
      writeJson(join(config, 'containers', 'auth.json'), {
        auths: { 'quay.io': auth('xdg', 'pw') }
      })
      const keychain = defaultKeychain({
        env: env([], { XDG_CONFIG_HOME: config })
      })
      expect(await keychain.resolve(quay)).toMatchObject({ username: 'xdg' })
    })

    it('takes the most specific key for the repository, and docker.io for Docker Hub', async () => {
      const file = writeJson(join(temp('authfile'), 'auth.json'), {
        auths: {
          'quay.io': auth('registry', 'pw'),
          'quay.io/acme': auth('namespace', 'pw'),
          'quay.io/acme/api': auth('repository', 'pw'),
          'quay.io/acme/api-other': auth('other', 'pw'),
          'quay.io/acme/web': {},
          'docker.io/library': auth('hub-library', 'pw')
        }
      })
      const resolve = (repository?: string, registry = quay) =>
        defaultKeychain({
          env: env([], { REGISTRY_AUTH_FILE: file }),
          repositories: repository ? [Repository.parse(repository)] : []
        })
          .resolve(registry)
          .then(c => c?.username)
      expect(await resolve('quay.io/acme/api')).toBe('repository')
      expect(await resolve('quay.io/acme/api/sub')).toBe('repository')
      expect(await resolve('quay.io/acme/web')).toBe('namespace')
      expect(await resolve('quay.io/acme/ap')).toBe('namespace')
      expect(await resolve('quay.io/other/api')).toBe('registry')
      expect(await resolve(undefined)).toBe('registry')
      expect(await resolve('ghcr.io/acme/api')).toBe('registry')
      expect(await resolve('busybox', hub)).toBe('hub-library')
    })

    it('asks its credHelpers entry instead of its auths for that registry', async () => {
      const helper = helperOnPath('podmanish', answering('robot', 'pw'))
      const file = writeJson(join(temp('authfile'), 'auth.json'), {
        auths: { 'quay.io': auth('base64', 'pw') },
        credHelpers: { 'quay.io': 'podmanish' }
      })
      const keychain = defaultKeychain({
        env: env([helper], { REGISTRY_AUTH_FILE: file })
      })
      expect(await keychain.resolve(quay)).toEqual({
        username: 'robot',
        password: 'pw',
        origin: `docker-credential-podmanish (credHelpers["quay.io"] in ${file})`
      })
    })

    it('names a file that is not JSON without quoting it', async () => {
      const file = join(temp('authfile'), 'auth.json')
      writeFileSync(file, '{"auths": {"quay.io": {"auth": "c2VjcmV0"}}')
      const options: KeychainOptions = {
        env: env([], { REGISTRY_AUTH_FILE: file })
      }
      const error = await defaultKeychain(options)
        .resolve(quay)
        .then(
          () => undefined,
          (e: Error) => e
        )
      expect(error?.message).toBe(
        `${file} is not a JSON object of registry credentials; fix or remove it`
      )
    })
  })
})
