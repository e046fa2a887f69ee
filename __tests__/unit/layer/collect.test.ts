import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, it, jest } from '@jest/globals'

// Every directory listing the walk makes, to show what it never lists.
const listed: string[] = []
jest.unstable_mockModule('node:fs', () => ({
  ...fs,
  readdirSync: (...args: Parameters<typeof fs.readdirSync>) => {
    listed.push(String(args[0]))
    return fs.readdirSync(...args)
  }
}))
const { collectEntries } = await import('../../../src/layer/collect')
const { parsePatterns } = await import('../../../src/layer/ignore')
const { tarDigest } = await import('../../../src/layer/layer')
const { InputError } = await import('../../../src/errors')

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(join(tmpdir(), 'imprint-collect-'))
  for (const [path, content] of Object.entries(files)) {
    fs.mkdirSync(dirname(join(root, path)), { recursive: true })
    fs.writeFileSync(join(root, path), content)
  }
  return root
}

const app = {
  'app/index.js': 'main\n',
  'app/index.js.map': '{}\n',
  'app/lib/util.js': 'util\n',
  'app/lib/util.js.map': '{}\n',
  'app/tests/app.test.js': 'test\n',
  'app/node_modules/pkg/index.js': 'pkg\n',
  'app/node_modules/pkg/index.js.map': '{}\n',
  'app/node_modules/pkg/__tests__/pkg.test.js': 'test\n',
  'app/node_modules/.cache/babel/a.json': '{}\n'
}

const paths = (entries: { type: string; path: string }[]) =>
  entries.map(e => (e.type === 'dir' ? `${e.path}/` : e.path))

const collect = (
  root: string,
  source: string,
  exclude: string[],
  warn: (message: string) => void = () => {}
) =>
  collectEntries(root, source, '/srv', warn, {
    exclude: parsePatterns(exclude)
  })

describe('excludes', () => {
  it('leaves out what the exclude input and the source’s .imprintignore match, in that order', async () => {
    const root = tree({
      ...app,
      // Later patterns win: the file, read after the input, includes lib's maps again.
      'app/.imprintignore': '# this source only\ntests\n!lib/*.map\n'
    })
    const left: string[] = []
    const entries = await collectEntries(root, 'app', '/srv', () => {}, {
      exclude: parsePatterns([
        '**/*.map',
        'node_modules/.cache',
        '**/__tests__'
      ]),
      excluded: path => left.push(path)
    })
    expect(paths(entries)).toEqual([
      'srv/index.js',
      'srv/lib/util.js',
      'srv/lib/util.js.map',
      'srv/node_modules/pkg/index.js'
    ])
    expect(left.sort()).toEqual([
      'index.js.map',
      'node_modules/.cache/',
      'node_modules/pkg/__tests__/',
      'node_modules/pkg/index.js.map',
      'tests/'
    ])
  })

  it('never archives the .imprintignore at the top of the source, only there', async () => {
    const root = tree({
      'app/.imprintignore': '\n',
      'app/a.txt': 'a\n',
      'app/sub/.imprintignore': 'a.txt\n',
      'app/sub/a.txt': 'a\n'
    })
    expect(paths(await collect(root, 'app', []))).toEqual([
      'srv/a.txt',
      'srv/sub/.imprintignore',
      'srv/sub/a.txt'
    ])
  })

  it('does not list an excluded directory: 2,000 cached files cost nothing', async () => {
    const files: Record<string, string> = { ...app }
    for (let d = 0; d < 20; d++)
      for (let f = 0; f < 100; f++)
        files[`app/node_modules/.cache/d${d}/f${f}.json`] = '{}\n'
    const root = tree(files)
    listed.length = 0
    const entries = await collect(root, 'app', ['node_modules/.cache'])
    expect(paths(entries)).not.toContainEqual(expect.stringContaining('.cache'))
    const real = fs.realpathSync(root)
    expect(listed.map(dir => dir.slice(real.length + 1)).sort()).toEqual([
      'app',
      'app/lib',
      'app/node_modules',
      'app/node_modules/pkg',
      'app/node_modules/pkg/__tests__',
      'app/tests'
    ])
  })

  it('lists an excluded directory only where a ! pattern includes something again, with the directories above it', async () => {
    const root = tree({
      ...app,
      'app/node_modules/pkg/LICENSE': 'MIT\n'
    })
    listed.length = 0
    // A layer owner other than root: directories get entries, those above what is included too.
    const entries = await collectEntries(root, 'app', '/srv', () => {}, {
      exclude: parsePatterns(['node_modules', '!node_modules/pkg/LICENSE']),
      ownDestination: true
    })
    expect(paths(entries)).toEqual([
      'srv/',
      'srv/index.js',
      'srv/index.js.map',
      'srv/lib/',
      'srv/lib/util.js',
      'srv/lib/util.js.map',
      'srv/node_modules/',
      'srv/node_modules/pkg/',
      'srv/node_modules/pkg/LICENSE',
      'srv/tests/',
      'srv/tests/app.test.js'
    ])
    // node_modules/.cache and pkg/__tests__ cannot hold node_modules/pkg/LICENSE.
    expect(listed.filter(dir => /\.cache|__tests__/.test(dir))).toEqual([])
    // A ! pattern with wildcards can include anything anywhere: excluded directories are listed.
    const anywhere = await collect(root, 'app', ['node_modules', '!**/LICENSE'])
    expect(paths(anywhere)).toContain('srv/node_modules/pkg/LICENSE')
    expect(paths(anywhere)).not.toContain('srv/node_modules/pkg/index.js')
  })

  it('re-includes as BuildKit does: a ! pattern on a directory not excluded does not reach into it', async () => {
    const root = tree({
      'app/config/prod.env': 'SECRET=1\n',
      'app/config/app.yaml': 'a: 1\n',
      'app/dir/sub/file': 'f\n',
      'app/dir/sub/other': 'o\n',
      'app/.env': 'SECRET=2\n',
      'app/.imprintignore': '**/*.env\n!config\ndir\n!dir/sub/file\n'
    })
    expect(paths(await collect(root, 'app', []))).toEqual([
      'srv/config/app.yaml',
      'srv/dir/sub/file'
    ])
  })

  it('takes a file source whatever the patterns say', async () => {
    const root = tree(app)
    const entries = await collect(root, 'app/index.js.map', ['**/*.map', '*'])
    expect(paths(entries)).toEqual(['srv'])
  })

  it('changes the diffID only with what is included', async () => {
    const options = { mtime: 946684800, uid: 0, gid: 0 }
    const exclude = ['**/*.map', 'tests', 'node_modules']
    const diffId = async (root: string) =>
      (await tarDigest(await collect(root, 'app', exclude), options)).diffId
    const clean = tree({
      'app/index.js': 'main\n',
      'app/lib/util.js': 'util\n'
    })
    const messy = tree(app)
    expect(await diffId(messy)).toBe(await diffId(clean))
    fs.writeFileSync(join(messy, 'app/index.js.map'), '{"changed":1}\n')
    fs.writeFileSync(join(messy, 'app/tests/new.test.js'), 'new\n')
    expect(await diffId(messy)).toBe(await diffId(clean))
    fs.writeFileSync(join(messy, 'app/lib/util.js'), 'changed\n')
    expect(await diffId(messy)).not.toBe(await diffId(clean))
  })

  it('warns when the patterns leave nothing', async () => {
    const root = tree(app)
    const warn = jest.fn<(message: string) => void>()
    expect(await collect(root, 'app', ['*'], warn)).toEqual([])
    expect(warn).toHaveBeenCalledWith(
      'source "app": the exclude patterns leave nothing in this layer'
    )
  })

  it('refuses a .imprintignore with a bad pattern, naming the file and line, as input exclude', async () => {
    const root = tree({ ...app, 'app/.imprintignore': '*.map\n\nsrc/[a-\n' })
    const error = await collect(root, 'app/', []).catch(e => e)
    expect(error).toBeInstanceOf(InputError)
    expect(error.message).toMatch(
      /^Input "exclude": app\/\.imprintignore line 3: "src\/\[a-" has a "\[" that opens a character class without closing it/
    )
  })

  it('reads .imprintignore without following a link, and only as a regular file', async () => {
    const root = tree(app)
    fs.writeFileSync(join(root, 'patterns'), 'node_modules\n')
    fs.symlinkSync('../patterns', join(root, 'app/.imprintignore'))
    await expect(collect(root, 'app', [])).rejects.toThrow(
      'Input "exclude": app/.imprintignore is a symlink; it is read without following links: make it a regular file'
    )
    fs.unlinkSync(join(root, 'app/.imprintignore'))
    execFileSync('mkfifo', [join(root, 'app/.imprintignore')])
    await expect(collect(root, 'app', [])).rejects.toThrow(
      'Input "exclude": app/.imprintignore is not a regular file'
    )
  })
})
