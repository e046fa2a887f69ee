import { describe, expect, it } from '@jest/globals'
import {
  cleanPath,
  IgnoreRules,
  parseIgnoreFile,
  parsePatterns
} from '../../../src/layer/ignore'

const rules = (...patterns: string[]) =>
  new IgnoreRules(parsePatterns(patterns))

describe('.dockerignore matching (moby/patternmatcher)', () => {
  // moby/patternmatcher TestMatches: one pattern, MatchesOrParentMatches.
  it.each([
    ['**', 'file', true],
    ['**', 'file/', true],
    ['**/', 'file', true],
    ['**/', 'file/', true],
    ['**', '/', true],
    ['**/', '/', true],
    ['**', 'dir/file', true],
    ['**/', 'dir/file', true],
    ['**', 'dir/file/', true],
    ['**/', 'dir/file/', true],
    ['**/**', 'dir/file', true],
    ['**/**', 'dir/file/', true],
    ['dir/**', 'dir/file', true],
    ['dir/**', 'dir/file/', true],
    ['dir/**', 'dir/dir2/file', true],
    ['dir/**', 'dir/dir2/file/', true],
    ['**/dir', 'dir', true],
    ['**/dir', 'dir/file', true],
    ['**/dir2/*', 'dir/dir2/file', true],
    ['**/dir2/*', 'dir/dir2/file/', true],
    ['**/dir2/**', 'dir/dir2/dir3/file', true],
    ['**/dir2/**', 'dir/dir2/dir3/file/', true],
    ['**file', 'file', true],
    ['**file', 'dir/file', true],
    ['**/file', 'dir/file', true],
    ['**file', 'dir/dir/file', true],
    ['**/file', 'dir/dir/file', true],
    ['**/file*', 'dir/dir/file', true],
    ['**/file*', 'dir/dir/file.txt', true],
    ['**/file*txt', 'dir/dir/file.txt', true],
    ['**/file*.txt', 'dir/dir/file.txt', true],
    ['**/file*.txt*', 'dir/dir/file.txt', true],
    ['**/**/*.txt', 'dir/dir/file.txt', true],
    ['**/**/*.txt2', 'dir/dir/file.txt', false],
    ['**/*.txt', 'file.txt', true],
    ['**/**/*.txt', 'file.txt', true],
    ['a**/*.txt', 'a/file.txt', true],
    ['a**/*.txt', 'a/dir/file.txt', true],
    ['a**/*.txt', 'a/dir/dir/file.txt', true],
    ['a/*.txt', 'a/dir/file.txt', false],
    ['a/*.txt', 'a/file.txt', true],
    ['a/*.txt**', 'a/file.txt', true],
    ['a[b-d]e', 'ae', false],
    ['a[b-d]e', 'ace', true],
    ['a[b-d]e', 'aae', false],
    ['a[^b-d]e', 'aze', true],
    ['.*', '.foo', true],
    ['.*', 'foo', false],
    ['abc.def', 'abcdef', false],
    ['abc.def', 'abc.def', true],
    ['abc.def', 'abcZdef', false],
    ['abc?def', 'abcZdef', true],
    ['abc?def', 'abcdef', false],
    ['a\\\\', 'a\\', true],
    ['**/foo/bar', 'foo/bar', true],
    ['**/foo/bar', 'dir/foo/bar', true],
    ['**/foo/bar', 'dir/dir2/foo/bar', true],
    ['abc/**', 'abc', false],
    ['abc/**', 'abc/def', true],
    ['abc/**', 'abc/def/ghi', true],
    ['**/.foo', '.foo', true],
    ['**/.foo', 'bar.foo', false],
    ['a(b)c/def', 'a(b)c/def', true],
    ['a(b)c/def', 'a(b)c/xyz', false],
    ['a.|)$(}+{bc', 'a.|)$(}+{bc', true],
    [
      'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl',
      'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl',
      true
    ],
    [
      'dist/*.whl',
      'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl',
      true
    ],
    ['a\\*b', 'a*b', true],
    // Go's filepath.Match tests, as moby runs them.
    ['abc', 'abc', true],
    ['*', 'abc', true],
    ['*c', 'abc', true],
    ['a*', 'a', true],
    ['a*', 'abc', true],
    ['a*', 'ab/c', true],
    ['a*/b', 'abc/b', true],
    ['a*/b', 'a/c/b', false],
    ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
    ['a*b?c*x', 'abxbbxdbxebxczzx', true],
    ['a*b?c*x', 'abxbbxdbxebxczzy', false],
    ['ab[c]', 'abc', true],
    ['ab[b-d]', 'abc', true],
    ['ab[e-g]', 'abc', false],
    ['ab[^c]', 'abc', false],
    ['ab[^b-d]', 'abc', false],
    ['ab[^e-g]', 'abc', true],
    ['a\\*b', 'ab', false],
    ['a?b', 'a☺b', true],
    ['a[^a]b', 'a☺b', true],
    ['a???b', 'a☺b', false],
    ['a[^a][^a][^a]b', 'a☺b', false],
    ['[a-ζ]*', 'α', true],
    ['*[a-ζ]', 'A', false],
    ['a?b', 'a/b', false],
    ['a*b', 'a/b', false],
    ['[\\]a]', ']', true],
    ['[\\-]', '-', true],
    ['[x\\-]', 'x', true],
    ['[x\\-]', '-', true],
    ['[x\\-]', 'z', false],
    ['[\\-x]', 'x', true],
    ['[\\-x]', '-', true],
    ['[\\-x]', 'a', false],
    ['*x', 'xxx', true]
  ])('[%#] %s matches %s: %s', (pattern, path, expected) => {
    expect(rules(pattern).excludes(path)).toBe(expected)
  })

  // moby/patternmatcher multiPatternTests and docs.docker.com's .dockerignore page.
  it.each([
    [['**', '!util/docker/web'], 'util/docker/web/foo', false],
    [
      ['**', '!util/docker/web', 'util/docker/web/foo'],
      'util/docker/web/foo',
      true
    ],
    [['**', '!dist/*.whl'], 'dist/proxy.py-2.4.0-py3-none-any.whl', false],
    [['!fileutils.go', '*.go'], 'fileutils.go', true],
    [['*.go', '!fileutils.go'], 'fileutils.go', false],
    [['docs', '!docs/README.md'], 'docs/README.md', false],
    [['docs/', '!docs/README.md'], 'docs/README.md', false],
    [['docs/*', '!docs/README.md'], 'docs/README.md', false],
    [['docs', '!docs/README.md'], 'docs/other.md', true],
    // docs.docker.com: */temp*, */*/temp*, temp?
    [['*/temp*'], 'somedir/temporary.txt', true],
    [['*/temp*'], 'somedir/temp', true],
    [['*/temp*'], 'somedir/temp/inside', true],
    [['*/temp*'], 'temporary.txt', false],
    [['*/temp*'], 'a/b/temporary.txt', false],
    [['*/*/temp*'], 'somedir/subdir/temporary.txt', true],
    [['*/*/temp*'], 'somedir/temporary.txt', false],
    [['temp?'], 'tempa', true],
    [['temp?'], 'tempb', true],
    [['temp?'], 'temp', false],
    [['temp?'], 'dir/tempa', false],
    [['**/*.go'], 'main.go', true],
    [['**/*.go'], 'cmd/tool/main.go', true],
    // Leading and trailing slashes are disregarded.
    [['/foo/bar/'], 'foo/bar', true],
    [['/foo/bar'], 'foo/bar/baz', true],
    [['foo/bar/'], 'foo/bar', true],
    [['foo/bar'], 'bar', false],
    [['foo/bar'], 'x/foo/bar', false],
    // Unlike .gitignore, a name matches at the top only.
    [['node_modules'], 'node_modules/x/index.js', true],
    [['node_modules'], 'packages/a/node_modules/x/index.js', false],
    // *.md, !README.md: only at the top.
    [['*.md', '!README.md'], 'README.md', false],
    [['*.md', '!README.md'], 'CHANGES.md', true],
    [['*.md', '!README.md'], 'docs/guide.md', false],
    // The last matching line decides.
    [['*.md', '!README*.md', 'README-secret.md'], 'README-secret.md', true],
    [['*.md', '!README*.md', 'README-secret.md'], 'README-public.md', false],
    [['*.md', '!README*.md', 'README-secret.md'], 'NOTES.md', true],
    [['*.md', 'README-secret.md', '!README*.md'], 'README-secret.md', false],
    // Cleaned as filepath.Clean cleans; "." is ignored.
    [['./a/../b//c/'], 'b/c', true],
    [['.'], 'anything', false],
    [['! /inverted/path', '**'], 'inverted/path', true],
    [['**', '! /inverted/path'], 'inverted/path', false]
  ])('[%#] %j on %s: %s', (patterns, path, expected) => {
    expect(rules(...patterns).excludes(path)).toBe(expected)
  })

  // BuildKit (tonistiigi/fsutil's walk, moby's MatchesUsingParentResults): a directory records a
  // pattern as matched only where it was evaluated, and a pattern is evaluated only where it could
  // change the verdict. moby's MatchesOrParentMatches (the classic builder) differs on [0], [3], [6].
  it.each([
    [['**/*.env', '!config'], 'config/prod.env', true],
    [['**/*.env', '!config'], 'config/app.yaml', false],
    [['**/*.env', '!config'], 'prod.env', true],
    [['a/b', '!a'], 'a/b/c', true],
    [['a/b', '!a'], 'a/c', false],
    [['dir', '!dir/sub/file'], 'dir/sub/file', false],
    [['dir', '!dir/sub'], 'dir/x', true],
    [['dir', '!dir/sub/file'], 'dir/sub/other', true],
    [['dir', '!dir/sub'], 'dir/sub/x/y', false],
    [['dir', '!dir/sub', 'dir/sub/x'], 'dir/sub/x/y', true],
    [['**/*.env', '!config/*'], 'config/prod.env', false],
    [['**/*.env', '!config/**'], 'config/sub/prod.env', false]
  ])('[%#] BuildKit: %j on %s: %s', (patterns, path, expected) => {
    expect(rules(...patterns).excludes(path)).toBe(expected)
  })

  // Where Docker's regular expression contradicts filepath.Match, filepath.Match decides.
  it.each([
    ['\\d', 'd', true],
    ['\\d', '1', false],
    ['[*]', '*', true],
    ['[*]', ']', false],
    ['x*^y', 'x^y', true]
  ])('[%#] %s matches %s: %s (filepath.Match)', (pattern, path, expected) => {
    expect(rules(pattern).excludes(path)).toBe(expected)
  })

  it.each([
    ['['],
    ['[^'],
    ['[^bc'],
    ['a['],
    ['\\'],
    ['[]a]'],
    ['[-]'],
    ['[x-]'],
    ['[-x]'],
    ['[a-b-c]'],
    ['!'],
    ['! /'],
    // Valid for filepath.Match, but Docker's regular expression fails on it (moby issue 52203).
    ['[Local-Only]/']
  ])('refuses %s, naming it', pattern => {
    expect(() => parsePatterns([pattern])).toThrow(
      `"${pattern}" ` // the message starts with the pattern as given
    )
  })

  it('names every bad pattern in one message', () => {
    expect(() => parsePatterns(['ok', '[', 'fine/**', 'a\\'])).toThrow(
      /^"\[" has a "\[" that opens a character class without closing it.*; "a\\" ends with a "\\" that escapes nothing$/
    )
  })
})

// A backtracking regular expression took 23 s for the first pattern on 40 characters, twice that
// for each one more: these would never finish. No time is asserted; a hang fails by jest's timeout.
describe('patterns a backtracking matcher never finishes', () => {
  const long = 'a'.repeat(10_000)
  it.each([
    // Up to 15 steps the states are bits of a number, beyond an array: both ways.
    ['*a*a*a*a*a*a*b', long, false],
    ['*a*a*a*a*a*a*a', long, true],
    ['*a*a*a*a*a*a*a*a*a*a*a*b', long, false],
    ['*a*a*a*a*a*a*a*a*a*a*a*a', long, true],
    ['*a*a*a*a*a*a*a*a*a*a*a*', `${long}b`, true],
    ['?*a*[a-z]*a*[^b]*a*a*\\a*a*a*a*c', long, false],
    ['**/*a*a*a*a*a*a*a*a*a*a*a*b', `x/${long}`, false],
    ['**a**a**a**a**a**a**a**a**a**a**b', 'a/'.repeat(5_000), false],
    ['**a**a**a**a**a**a**a**a**a**a**a', 'a/'.repeat(5_000) + 'a', true],
    ['a/**a**a**a**a**a**a**a**a**b**', 'a/'.repeat(5_000), false]
  ])('[%#] %s', (pattern, path, expected) => {
    expect(parsePatterns([pattern])[0].matches(path)).toBe(expected)
  })

  // Patterns of more than 15 steps, matched with an array of states.
  it.each([
    [
      '**/node_modules/**/dist/*.min.js',
      'a/node_modules/b/c/dist/x.min.js',
      true
    ],
    ['**/node_modules/**/dist/*.min.js', 'node_modules/dist/x.min.js', true],
    ['**/node_modules/**/dist/*.min.js', 'node_modules/dist/a/x.min.js', false],
    ['src/[a-z]*/__snapshots__/*.snap', 'src/app/__snapshots__/x.snap', true],
    ['src/[a-z]*/__snapshots__/*.snap', 'src/App/__snapshots__/x.snap', false],
    ['??????????????????', 'abcdefghijklmnopqr', true],
    ['??????????????????', 'abcdefghijklmnopq', false],
    ['????????????????☺?', 'abcdefghijklmnop☺😀', true]
  ])('[%#] %s matches %s: %s', (pattern, path, expected) => {
    expect(parsePatterns([pattern])[0].matches(path)).toBe(expected)
  })

  it('checks every directory above a long path', () => {
    const path = `${'a'.repeat(100)}/`.repeat(100) + 'a'.repeat(100)
    expect(rules('*a*a*a*a*a*a*a*a*a*a*a*b').excludes(path)).toBe(false)
    expect(rules('*a*a*a*a*a*a*a*a*a*a*a*a').excludes(path)).toBe(true)
  })

  it('trims a line of 256 Ki spaces between two characters', () => {
    // Go's strings.TrimSpace as `\s+$` took time quadratic in the spaces (minutes).
    const pattern = `a${' '.repeat(1 << 18)}b`
    expect(parsePatterns([` ${pattern}\t`])[0].text).toBe(pattern)
    expect(parseIgnoreFile(`${pattern} \r\n`, 'x')[0].text).toBe(pattern)
  })
})

describe('cleanPath (Go path.Clean)', () => {
  it.each([
    ['', '.'],
    ['abc', 'abc'],
    ['abc/def/', 'abc/def'],
    ['a//b', 'a/b'],
    ['./a/./b', 'a/b'],
    ['a/../b', 'b'],
    ['a/../..', '..'],
    ['../../a', '../../a'],
    ['/../a', '/a'],
    ['/', '/'],
    ['//', '/'],
    ['.', '.']
  ])('%j → %j', (path, cleaned) => {
    expect(cleanPath(path)).toBe(cleaned)
  })
})

describe('ignore files (moby ignorefile.ReadAll)', () => {
  it('strips a BOM, skips # in column 1 and blank lines, trims, cleans and drops a leading /', () => {
    const text =
      '\uFEFFtest1\r\n/test2\n/a/file/here\n\n  \nlastfile\n# this is a comment\n! /inverted/abs/path\n  #not-a-comment\n'
    expect(
      parseIgnoreFile(text, 'src/.imprintignore').map(p => [
        p.exclusion ? '!' : '',
        p.text
      ])
    ).toEqual([
      ['', 'test1'],
      ['', 'test2'],
      ['', 'a/file/here'],
      ['', 'lastfile'],
      ['!', 'inverted/abs/path'],
      ['', '#not-a-comment']
    ])
  })

  it('names the file and line of each bad pattern', () => {
    expect(() =>
      parseIgnoreFile('ok\n# fine\n[a-\n!\n', 'app/.imprintignore')
    ).toThrow(
      /^app\/\.imprintignore line 3: "\[a-" has a .*; app\/\.imprintignore line 4: "!" re-includes nothing: write !PATTERN$/
    )
  })
})

describe('which excluded directories are still listed', () => {
  it.each([
    // No ! pattern: never.
    [['node_modules'], 'node_modules', false],
    // A plain ! pattern (BuildKit's rule): when it starts with the directory.
    [['node_modules', '!node_modules/keep'], 'node_modules', true],
    [['node_modules', '!node_modules/keep/*'], 'node_modules', true],
    [['node_modules', '!node_modules/keep/**'], 'node_modules/keep', true],
    [['node_modules', '!node_modules/keep'], 'node_modules/other', false],
    [['cache', '!src/keep'], 'cache', false],
    // Wildcards: unless its leading plain segments lead elsewhere.
    [['**/.cache', '!**/keep.txt'], 'node_modules/.cache', true],
    [['**/.cache', '!src/**/keep.txt'], 'node_modules/.cache', false],
    [['**/.cache', '!src/**/keep.txt'], 'src/a/.cache', true],
    [['**/.cache', '!src/a/.cache/*.keep'], 'src', true],
    [['*', '!s*/x'], 'src', true]
  ])('[%#] %j: %s is listed: %s', (patterns, dir, listed) => {
    expect(rules(...patterns).mayIncludeBelow(dir)).toBe(listed)
  })
})
