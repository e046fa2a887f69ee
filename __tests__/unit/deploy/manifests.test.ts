import { describe, expect, it } from '@jest/globals'
import { planManifests } from '../../../src/deploy/manifests'
import { Repository } from '../../../src/oci/reference'

const target = {
  repository: Repository.parse('ghcr.io/acme/api'),
  tag: 'v1.2.3',
  digest: `sha256:${'9'.repeat(64)}` as const
}

describe('planManifests without a reference to pin', () => {
  it('names the fields the editor does not know, with the manifest-paths line', () => {
    const manifests = [
      {
        path: 'deploy/values.yaml',
        text: 'api:\n  image:\n    name: ghcr.io/acme/api\n    version: "1.0"\n'
      }
    ]
    expect(() => planManifests(manifests, target, true)).toThrow(
      'deploy/values.yaml has no reference to ghcr.io/acme/api; it names the image at api.image.name, a field the editor does not know. If that field deploys it, list it in manifest-paths: "api.image.name=reference" for a whole reference, or PATH=tag and PATH=digest for separate tag and digest fields (name the field in manifest-paths, or set manifest-no-match: warning to allow this)'
    )
  })

  it('says why a rule left the fields naming the image alone', () => {
    const manifests = [
      {
        path: 'flux/image-automation.yaml',
        text: 'apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: api\nspec:\n  image: ghcr.io/acme/api\n'
      }
    ]
    const plan = planManifests(manifests, target, false)
    expect(plan.warnings).toEqual([
      'flux/image-automation.yaml has no reference to ghcr.io/acme/api; left alone: spec.image (the repository a Flux ImageRepository scans for tags)'
    ])
    expect(() => planManifests(manifests, target, true)).toThrow(
      /scans for tags\) \(set manifest-no-match: warning to allow this\)$/
    )
  })

  it('keeps the notes for the debug log', () => {
    const manifests = [
      { path: 'a.yaml', text: 'x:\n  {{ .y }}: 1\nimage: ghcr.io/acme/api:1\n' }
    ]
    const plan = planManifests(manifests, target, true)
    expect(plan.notes).toEqual([
      'a.yaml:2: a key in x is itself a mapping or list (an unquoted template?); left alone'
    ])
    expect(plan.warnings).toEqual([])
  })
})
