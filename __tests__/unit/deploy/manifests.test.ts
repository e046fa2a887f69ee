import { describe, expect, it } from '@jest/globals'
import { planManifests } from '../../../src/deploy/manifests'
import { Repository } from '../../../src/oci/reference'

const target = {
  repository: Repository.parse('ghcr.io/acme/api'),
  tag: 'v1.2.3',
  digest: `sha256:${'9'.repeat(64)}` as const
}

describe('planManifests', () => {
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
