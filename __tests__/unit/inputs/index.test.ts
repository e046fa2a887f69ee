import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { InputErrors } from '../../../src/errors'
import {
  keylessTrustMaterial,
  parseCommand,
  parseInputs,
  type InputName
} from '../../../src/inputs'
import { publicGoodTrustedRoot } from '../../../src/sign/trusted-root'

const parse = (inputs: Partial<Record<InputName, string>>) =>
  parseInputs(name => inputs[name] ?? '', {})

describe('parseInputs', () => {
  it('applies the contract defaults', () => {
    const inputs = parse({
      image: 'ghcr.io/acme/api',
      layers: 'dist:/app/dist'
    })
    expect(inputs.base).not.toBe('scratch')
    expect(String(inputs.base)).toBe('cgr.dev/chainguard/static:latest')
    expect(inputs.platforms).toEqual([{ os: 'linux', architecture: 'amd64' }])
    expect(inputs.tags).toEqual(['{{sha}}'])
    expect(inputs.push).toBe(true)
    expect(inputs.load).toBe(false)
    expect(inputs.allowTagOverwrite).toBe(false)
    expect(inputs.workingDirectory).toBe('.')
    expect(inputs.fileMtime).toBe(946684800) // 2000-01-01T00:00:00Z
  })

  it('lower-cases an image with capitals (ghcr.io/${{ github.repository }}), with a notice', () => {
    const inputs = parse({
      image: 'ghcr.io/Acme-Corp/API',
      layers: 'dist:/app/dist'
    })
    expect(String(inputs.image)).toBe('ghcr.io/acme-corp/api')
    expect(inputs.notices).toEqual([
      'image: "ghcr.io/Acme-Corp/API" is used as ghcr.io/acme-corp/api (repository names are lower-case)'
    ])
  })

  it.each([
    ['2000-01-01T00:00:00Z', 946684800],
    ['2021-06-01T12:00:00+02:00', 1622541600],
    ['2021-06-01T00:30:00-01:30', 1622512800],
    ['2000-02-29T23:59:59Z', 951868799],
    ['1700000000', 1700000000],
    ['source-date', 'source-date']
  ])('reads file-mtime %s', (value, expected) => {
    const inputs = parse({
      image: 'ghcr.io/acme/api',
      layers: 'dist:/app/dist',
      'file-mtime': value
    })
    expect(inputs.fileMtime).toBe(expected)
  })

  it.each([
    'yesterday',
    '2021-06-01',
    '2021-13-01T00:00:00Z',
    '-5',
    // Times that do not exist are refused, not rolled over into others.
    '2000-02-30T00:00:00Z',
    '2001-02-29T00:00:00Z',
    '2000-04-31T00:00:00Z',
    '2000-01-01T24:00:00Z',
    '2000-01-01T00:00:60Z',
    '2000-01-01T00:00:00+24:00'
  ])('refuses file-mtime %s, naming the forms it takes', value => {
    expect(() =>
      parse({
        image: 'ghcr.io/acme/api',
        layers: 'dist:/app/dist',
        'file-mtime': value
      })
    ).toThrow(/Input "file-mtime": .* RFC 3339 .*source-date/)
  })

  it('refuses a source-date-epoch after the year 9999, naming the input', () => {
    expect(() =>
      parse({
        image: 'ghcr.io/acme/api',
        layers: 'dist:/app/dist',
        'source-date-epoch': '9999999999999'
      })
    ).toThrow(/Input "source-date-epoch": .*after 9999-12-31T23:59:59Z/)
    expect(
      parse({
        image: 'ghcr.io/acme/api',
        layers: 'dist:/app/dist',
        'source-date-epoch': '253402300799'
      }).sourceDateEpoch
    ).toBe(253402300799)
  })

  it('parses lists, key-values, commands and platforms', () => {
    const inputs = parse({
      image: 'ghcr.io/acme/api',
      layers:
        '# deps first\nnode_modules:/app/node_modules\n\ndist:/app/dist\n',
      platforms: 'linux/amd64, linux/arm/v7\nlinux/arm64',
      env: 'A=1\nB=x=y\nC=',
      labels: 'team=platform',
      entrypoint: '["/usr/bin/node", "/app/dist/server.js"]',
      cmd: '--port 8080',
      'insecure-registries': 'registry.local:5000, other.local',
      'source-date-epoch': '1700000000'
    })
    expect(inputs.layers).toEqual([
      { source: 'node_modules', destination: '/app/node_modules' },
      { source: 'dist', destination: '/app/dist' }
    ])
    expect(inputs.platforms).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm', variant: 'v7' },
      { os: 'linux', architecture: 'arm64' }
    ])
    expect(inputs.env).toEqual([
      ['A', '1'],
      ['B', 'x=y'],
      ['C', '']
    ])
    expect(inputs.entrypoint).toEqual(['/usr/bin/node', '/app/dist/server.js'])
    expect(inputs.cmd).toEqual(['--port', '8080'])
    expect(inputs.insecureRegistries).toEqual([
      'registry.local:5000',
      'other.local'
    ])
    expect(inputs.sourceDateEpoch).toBe(1700000000)
  })

  it('collects every problem, each naming its input', () => {
    const attempt = (): unknown => {
      try {
        return parse({
          image: 'ghcr.io/acme/api:1',
          layers: 'dist',
          platforms: 'linux/amd64,linux/amd64',
          username: 'u'
        })
      } catch (error) {
        return error
      }
    }
    const error = attempt()
    expect(error).toBeInstanceOf(InputErrors)
    expect((error as InputErrors).errors.map(e => e.input)).toEqual([
      'image',
      'layers',
      'platforms',
      'password'
    ])
  })

  it('reads exclude as .dockerignore patterns, one per line, # lines and blanks ignored', () => {
    const inputs = parse({
      image: 'ghcr.io/acme/api',
      layers: 'dist:/app/dist',
      exclude: '# caches\n/node_modules/.cache/\n\n  **/*.map\n! keep.map\n'
    })
    expect(inputs.exclude.map(p => [p.exclusion, p.text])).toEqual([
      [false, 'node_modules/.cache'],
      [false, '**/*.map'],
      [true, 'keep.map']
    ])
    expect(parse({ image: 'a/b', layers: 'a:/a' }).exclude).toEqual([])
  })

  it('refuses bad exclude patterns in one error naming each', () => {
    expect(() =>
      parse({
        image: 'ghcr.io/acme/api',
        layers: 'dist:/app/dist',
        exclude: '**/*.map\nsrc/[a-\n!\n'
      })
    ).toThrow(
      /^Input "exclude": "src\/\[a-" has a "\[" that opens a character class without closing it \(write \\\[ for a bracket\); "!" re-includes nothing: write !PATTERN$/
    )
  })

  it('reads load, which needs tags to name the image by', () => {
    const base = { image: 'ghcr.io/a/b', layers: 'a:/a' }
    expect(parse({ ...base, push: 'false', load: 'true' }).load).toBe(true)
    expect(() => parse({ ...base, load: 'yes' })).toThrow(
      'Input "load": "yes" is not a boolean (use true or false)'
    )
    expect(() =>
      parse({ ...base, load: 'true', 'push-by-digest': 'true' })
    ).toThrow(/^Input "load": cannot be combined with push-by-digest/)
  })

  it('refuses owner ids that do not fit a tar header', () => {
    expect(() =>
      parse({
        image: 'ghcr.io/a/b',
        layers: 'a:/a',
        'layer-owner': '1000680000'
      })
    ).toThrow(/Input "layer-owner": 1000680000: owner ids above 2097151/)
  })

  it('refuses layer-owner user with a non-numeric user', () => {
    expect(() =>
      parse({
        image: 'ghcr.io/acme/api',
        layers: 'a:/a',
        'layer-owner': 'user',
        user: 'nonroot'
      })
    ).toThrow(/Input "layer-owner": "user" needs the user input to be numeric/)
  })

  it('splits plain commands on whitespace and rejects non-string JSON', () => {
    expect(parseCommand('/app/server  --port 80')).toEqual([
      '/app/server',
      '--port',
      '80'
    ])
    expect(() => parseCommand('["a", 1]')).toThrow(/array of strings/)
  })
})

describe('keyless settings', () => {
  const base = {
    image: 'ghcr.io/acme/api',
    layers: 'dist:/app/dist',
    sign: 'keyless'
  }
  const env = (extra: Record<string, string>) => ({
    SIGSTORE_ID_TOKEN: 'token',
    ...extra
  })

  it('reads $SIGSTORE_TRUSTED_ROOT with the inputs, and refuses one that is not a trusted root before anything runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'imprint-root-'))
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, '{"mediaType":"application/json"}')
    expect(() =>
      parseInputs(
        name => (base as Partial<Record<InputName, string>>)[name] ?? '',
        env({ SIGSTORE_TRUSTED_ROOT: bad })
      )
    ).toThrow(
      /Input "sign": keyless, but \$SIGSTORE_TRUSTED_ROOT: .*bad\.json: not a Sigstore trusted root/
    )
    expect(() =>
      parseInputs(
        name => (base as Partial<Record<InputName, string>>)[name] ?? '',
        env({ SIGSTORE_TRUSTED_ROOT: join(dir, 'missing.json') })
      )
    ).toThrow(/cannot read the trusted root .*missing\.json.*ENOENT/)
    const none = parseInputs(
      name => (base as Partial<Record<InputName, string>>)[name] ?? '',
      env({})
    )
    expect(none.sign).toBe('keyless')
    expect(none.keylessTrustedRoot).toBeUndefined()
  })

  it('makes trust material of $SIGSTORE_TRUSTED_ROOT before the build, and refuses as the sign input one sigstore-js cannot use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imprint-root-'))
    const read = (file: string) =>
      parseInputs(
        name => (base as Partial<Record<InputName, string>>)[name] ?? '',
        env({ SIGSTORE_TRUSTED_ROOT: file })
      )
    const good = join(dir, 'root.json')
    writeFileSync(good, JSON.stringify(publicGoodTrustedRoot))
    const material = await keylessTrustMaterial(read(good))
    expect(material?.certificateAuthorities.length).toBeGreaterThan(0)
    // Its kind and authorities are right, so it passes with the inputs; its certificate is no DER.
    const broken = join(dir, 'broken.json')
    writeFileSync(
      broken,
      JSON.stringify({
        ...(publicGoodTrustedRoot as object),
        certificateAuthorities: [
          {
            uri: 'https://fulcio.example',
            certChain: { certificates: [{ rawBytes: 'AAAA' }] }
          }
        ]
      })
    )
    await expect(keylessTrustMaterial(read(broken))).rejects.toThrow(
      /^Input "sign": keyless, but \$SIGSTORE_TRUSTED_ROOT: .*broken\.json: /
    )
    expect(await keylessTrustMaterial(read(''))).toBeUndefined()
  })
})
