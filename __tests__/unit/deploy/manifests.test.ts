import { describe, expect, it } from '@jest/globals'
import {
  lineDiff,
  planManifests,
  type FilePlan
} from '../../../src/deploy/manifests'
import { Repository } from '../../../src/oci/reference'

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

const target = {
  repository: Repository.parse('ghcr.io/acme/api'),
  tag: 'v1.2.3',
  digest: `sha256:${'9'.repeat(64)}` as const
}

describe('planManifests without a reference to pin', () => {
  it('names the fields the editor does not know, with the manifest-paths line', async () => {
    const manifests = [
      {
        path: 'deploy/values.yaml',
        file: 'deploy/values.yaml',
        text: 'api:\n  image:\n    name: ghcr.io/acme/api\n    version: "1.0"\n'
      }
    ]
    await expect(planManifests(manifests, target, true)).rejects.toThrow(
      'deploy/values.yaml has no reference to ghcr.io/acme/api; it names the image at api.image.name, a field the editor does not know. If that field deploys it, list it in manifest-paths: "api.image.name=reference" for a whole reference, or PATH=tag and PATH=digest for separate tag and digest fields (name the field in manifest-paths, or set manifest-no-match: warning to allow this)'
    )
  })

  it('says why a rule left the fields naming the image alone', async () => {
    const manifests = [
      {
        path: 'flux/image-automation.yaml',
        file: 'flux/image-automation.yaml',
        text: 'apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: api\nspec:\n  image: ghcr.io/acme/api\n'
      }
    ]
    const plan = await planManifests(manifests, target, false)
    expect(plan.warnings).toEqual([
      'flux/image-automation.yaml has no reference to ghcr.io/acme/api; left alone: spec.image (the repository a Flux ImageRepository scans for tags)'
    ])
    await expect(planManifests(manifests, target, true)).rejects.toThrow(
      /scans for tags\) \(set manifest-no-match: warning to allow this\)$/
    )
  })

  it('keeps the notes for the debug log', async () => {
    const manifests = [
      {
        path: 'a.yaml',
        file: 'a.yaml',
        text: 'x:\n  {{ .y }}: 1\nimage: ghcr.io/acme/api:1\n'
      }
    ]
    const plan = await planManifests(manifests, target, true)
    expect(plan.notes).toEqual([
      'a.yaml:2: a key in x is itself a mapping or list (an unquoted template?); left alone'
    ])
    expect(plan.warnings).toEqual([])
  })
})
