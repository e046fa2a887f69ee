import { describe, expect, it } from '@jest/globals'
import { lineDiff, type FilePlan } from '../../../src/deploy/manifests'

const plan = (before: string, after: string): FilePlan => ({
  path: 'k8s/app.yaml',
  file: 'k8s/app.yaml',
  before,
  after,
  changes: [],
  matches: 1
})

describe('lineDiff', () => {
  it('shows changed and inserted lines, without context', () => {
    const before = 'a: 1\nimage: x:old\nb: 2\nrepository: y\nc: 3\n'
    const after =
      'a: 1\nimage: x:new@sha256:1\nb: 2\nrepository: y\ntag: v1\nc: 3\n'
    expect(lineDiff(plan(before, after))).toBe(
      [
        '--- a/k8s/app.yaml',
        '+++ b/k8s/app.yaml',
        '@@ -2,1 +2,1 @@',
        '-image: x:old',
        '+image: x:new@sha256:1',
        '@@ -5,0 +5,1 @@',
        '+tag: v1'
      ].join('\n')
    )
  })

  it('handles repeated lines, CRLF and a change on the last line', () => {
    const before = 'x: 1\r\nx: 1\r\nimage: a:1'
    const after = 'x: 1\r\nx: 1\r\nimage: a:2'
    expect(lineDiff(plan(before, after)).split('\n').slice(2)).toEqual([
      '@@ -3,1 +3,1 @@',
      '-image: a:1',
      '+image: a:2'
    ])
  })

  it('stays linear on a large file with many edits', () => {
    const lines = Array.from({ length: 60_000 }, (_, i) =>
      i % 100 === 0 ? `image: x:old${i}` : `key${i}: value`
    )
    const after = lines.map(l => l.replace(/:old/, ':new'))
    // The former LCS table would need 60 000² cells here: gigabytes, and the test would not finish.
    const diff = lineDiff(plan(lines.join('\n'), after.join('\n')))
    expect(diff.split('\n').filter(l => l.startsWith('@@'))).toHaveLength(600)
  })
})
