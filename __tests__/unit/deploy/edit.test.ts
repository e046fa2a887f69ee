import { describe, expect, it, jest } from '@jest/globals'
import {
  editManifest,
  ManifestError,
  parseNamedPath
} from '../../../src/deploy/edit'
import { needsQuotes } from '../../../src/deploy/quote'
import { Repository } from '../../../src/oci/reference'

const digest = `sha256:${'d'.repeat(64)}` as const
const sha = 'a'.repeat(40)
const target = {
  repository: Repository.parse('ghcr.io/acme/api'),
  tag: sha,
  digest
}
const pinned = `ghcr.io/acme/api:${sha}@${digest}`

describe('editManifest', () => {
  it('rewrites containers anywhere in a multi-document stream, byte-exact elsewhere', () => {
    const src = `# deploy the api
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api   # the name

spec:
  template:
    spec:
      initContainers:
      - name: migrate
        image: ghcr.io/acme/api:old   # runs migrations
      containers:
        - name: api
          image: "ghcr.io/acme/api@sha256:${'0'.repeat(64)}"
        - name: sidecar
          image: ghcr.io/acme/api-sidecar:1.0
---
apiVersion: batch/v1
kind: CronJob
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - image: 'ghcr.io/acme/api:v1'
          - image: docker.io/library/nginx:1.27
`
    const { text, changes, matches } = editManifest('k8s/app.yaml', src, target)
    expect(text).toBe(
      src
        .replace('ghcr.io/acme/api:old', pinned)
        .replace(
          `"ghcr.io/acme/api@sha256:${'0'.repeat(64)}"`,
          `"ghcr.io/acme/api@${digest}"` // digest-only stays digest-only
        )
        .replace(`'ghcr.io/acme/api:v1'`, `'${pinned}'`)
    )
    expect(matches).toBe(3)
    expect(changes.map(c => `${c.document} ${c.path}`)).toEqual([
      '0 spec.template.spec.initContainers[0].image',
      '0 spec.template.spec.containers[0].image',
      '1 spec.jobTemplate.spec.template.spec.containers[0].image'
    ])
    expect(changes[0].from).toBe('ghcr.io/acme/api:old')
  })

  it('keeps CRLF line endings and the short Docker Hub spelling', () => {
    const src =
      'services:\r\n  web:\r\n    image: nginx:1.25 # pinned\r\n  db:\r\n    image: postgres:16\r\n'
    const hub = {
      ...target,
      repository: Repository.parse('docker.io/library/nginx')
    }
    const { text } = editManifest('compose.yaml', src, hub)
    expect(text).toBe(
      `services:\r\n  web:\r\n    image: nginx:${sha}@${digest} # pinned\r\n  db:\r\n    image: postgres:16\r\n`
    )
  })

  it('sets newTag and digest in a kustomization, keeping newName and adding missing keys', () => {
    const src = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
images:
  # the api
  - name: api
    newName: ghcr.io/acme/api
    newTag: old
  - name: worker
    newName: ghcr.io/acme/api
  - name: ghcr.io/acme/other
    newTag: "1"
`
    const { text, changes } = editManifest(
      'overlays/prod/kustomization.yaml',
      src,
      target
    )
    expect(text).toBe(`apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
images:
  # the api
  - name: api
    newName: ghcr.io/acme/api
    newTag: ${sha}
    digest: ${digest}
  - name: worker
    newName: ghcr.io/acme/api
    newTag: ${sha}
    digest: ${digest}
  - name: ghcr.io/acme/other
    newTag: "1"
`)
    expect(changes.map(c => c.kind)).toEqual(['kustomize', 'kustomize'])
  })

  it('updates Helm repository/tag/digest at any depth and quotes numeric-looking tags', () => {
    const src = `api:
  image:
    registry: ghcr.io
    repository: acme/api
    tag: 1.0.0
    digest: ""
    pullPolicy: IfNotPresent
worker:
  image:
    repository: ghcr.io/acme/api
  full: ghcr.io/acme/api:v2
`
    const numeric = { ...target, tag: '58467965' }
    const { text } = editManifest('values.yaml', src, numeric)
    expect(text).toBe(`api:
  image:
    registry: ghcr.io
    repository: acme/api
    tag: "58467965"
    digest: "${digest}"
    pullPolicy: IfNotPresent
worker:
  image:
    repository: ghcr.io/acme/api
    tag: "58467965"
  full: ghcr.io/acme/api:58467965@${digest}
`)
  })

  it('is idempotent: the pinned file is left alone', () => {
    const src = `image: ${pinned}\n`
    const result = editManifest('a.yaml', src, target)
    expect(result.text).toBe(src)
    expect(result.changes).toEqual([])
    expect(result.matches).toBe(1)
  })

  it('never matches by prefix or unnormalised names, and leaves templated values alone', () => {
    const src = `a: ghcr.io/acme/api-v2:1\nb: ghcr.io/acme/apiserver\nc: ghcr.io/acme/api:\${TAG}\nd: "{{ .Values.image }}"\ne: acme/api:1\n`
    const result = editManifest('x.yaml', src, target)
    expect(result.matches).toBe(0)
    expect(result.text).toBe(src)
  })

  it('fails with file and line on invalid YAML, and refuses edits through aliases', () => {
    expect(() => editManifest('bad.yaml', 'a: 1\nb: [\n', target)).toThrow(
      ManifestError
    )
    expect(() => editManifest('bad.yaml', 'a: 1\na: 2\n', target)).toThrow(
      /^bad\.yaml:2: not valid YAML/
    )
    const aliased = `base: &img ghcr.io/acme/api:1\nspec:\n  image: *img\n`
    const result = editManifest('alias.yaml', aliased, target)
    expect(result.text).toBe(`base: &img ${pinned}\nspec:\n  image: *img\n`)
    expect(result.warnings[0]).toMatch(/anchored \(&img\)/)
  })
})

describe('editManifest edge cases', () => {
  it('fills an empty value followed by a comment, and inserts after a first line with a BOM', () => {
    const src = '\uFEFFrepository: ghcr.io/acme/api\ntag: # set by CI\n'
    expect(editManifest('values.yaml', src, target).text).toBe(
      `\uFEFFrepository: ghcr.io/acme/api\ntag: ${sha} # set by CI\n`
    )
    const inserted = editManifest('values.yaml', '\uFEFFtag: v1\n', {
      ...target,
      paths: [parseNamedPath('digest=digest')]
    }).text
    expect(inserted).toBe(`\uFEFFtag: v1\ndigest: ${digest}\n`)
  })

  it('leaves bare names that are not under an image key alone', () => {
    const src = `apiVersion: image.toolkit.fluxcd.io/v1beta2\nkind: ImageRepository\nspec:\n  image: ghcr.io/acme/api\n---\nmetadata:\n  annotations:\n    argocd-image-updater.argoproj.io/image-list: ghcr.io/acme/api\n`
    const result = editManifest(
      'flux.yaml',
      src.replace('  image: ghcr.io/acme/api', '  url: ghcr.io/acme/api'),
      target
    )
    expect(result.text).toBe(
      src.replace('  image: ghcr.io/acme/api', '  url: ghcr.io/acme/api')
    )
    expect(result.matches).toBe(0)
  })
})

describe('the YAML library stays quiet', () => {
  it('routes what it notices about template keys to the notes, not to stderr', () => {
    const src = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  namespace: {{ .ns }}
spec:
  metrics:
    - name: load
      provider:
        job:
          spec:
            template:
              metadata:
                annotations:
                  sidecar.example.io/inject: {{args.inject}}
              spec:
                containers:
                  - name: load
                    image: ghcr.io/acme/api:1
`
    const emit = jest.spyOn(process, 'emitWarning').mockImplementation(() => {})
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      const result = editManifest('analysis.yaml', src, target)
      expect(result.text).toBe(src.replace('ghcr.io/acme/api:1', pinned))
      expect(result.notes).toEqual([
        'analysis.yaml:4: a key in metadata.namespace is itself a mapping or list (an unquoted template?); left alone',
        'analysis.yaml:14: a key in spec.metrics[0].provider.job.spec.template.metadata.annotations.sidecar.example.io/inject is itself a mapping or list (an unquoted template?); left alone'
      ])
      expect(emit).not.toHaveBeenCalled()
      expect(warn).not.toHaveBeenCalled()
    } finally {
      emit.mockRestore()
      warn.mockRestore()
    }
  })
})

describe('Flux setter markers', () => {
  it('sets the :tag and :digest fields of the policy whose :name field is the image', () => {
    const src = `spec:
  values:
    repo: ghcr.io/acme/api # {"$imagepolicy": "flux-system:api:name"}
    version: "1.0" # {"$imagepolicy": "flux-system:api:tag"}
    pin: "" # {"$imagepolicy": "flux-system:api:digest"}
    other: ghcr.io/acme/other # {"$imagepolicy": "flux-system:other:name"}
    otherTag: "2.0" # {"$imagepolicy": "flux-system:other:tag"}
`
    const result = editManifest('release.yaml', src, target)
    expect(result.text).toBe(
      src
        .replace('"1.0" #', `"${sha}" #`)
        .replace('pin: "" #', `pin: "${digest}" #`)
    )
    expect(result.changes.map(c => c.kind)).toEqual([
      'flux-marker',
      'flux-marker'
    ])
  })
})

describe('named paths', () => {
  it('sets user-named fields, with indices, to the tag, digest or reference', () => {
    const src = `api:\n  image:\n    name: acme-api\n    version: "1.0"  # custom keys\njobs:\n  - ref: x\n  - ref: y\n`
    const paths = [
      'api.image.version=tag',
      'jobs[1].ref=reference',
      'missing.key=digest'
    ].map(parseNamedPath)
    const result = editManifest('values.yaml', src, { ...target, paths })
    expect(result.text).toBe(
      src.replace('"1.0"', `"${sha}"`).replace('ref: y', `ref: ${pinned}`)
    )
    expect(result.matches).toBe(2)
  })

  it('adds a missing last key to the block mapping that would hold it, after its tag', () => {
    const src = `api:\n  image:\n    repository: ghcr.io/acme/api\n    tag: "1.0" # pinned by CI\n    pullPolicy: Always\nweb: { image: { repository: ghcr.io/acme/web } }\n`
    const paths = ['api.image.digest=digest', 'web.image.digest=digest'].map(
      parseNamedPath
    )
    const result = editManifest('values.yaml', src, { ...target, paths })
    expect(result.text).toBe(
      src
        .replace('"1.0"', `"${sha}"`)
        .replace('CI\n', `CI\n    digest: ${digest}\n`)
    )
    expect(result.changes.map(c => `${c.kind} ${c.path}`)).toEqual([
      'named-path api.image.digest',
      'helm api.image'
    ])
    expect(result.warnings).toEqual([
      'values.yaml: manifest-paths cannot add web.image.digest here; write the key in the file (block style)'
    ])
  })

  it('rejects malformed paths', () => {
    expect(() => parseNamedPath('api.image.version')).toThrow(
      /is not PATH=tag\|digest\|reference/
    )
    expect(() => parseNamedPath('a..b=tag')).toThrow(/is not a key/)
  })
})

describe('needsQuotes', () => {
  it.each([
    ['58467965', true],
    ['0123456', true],
    ['1e10', true],
    ['12e4567', true],
    ['on', true],
    ['yes', true],
    ['deadbee', false],
    ['a1b2c3d', false],
    [sha, false],
    [pinned, false],
    ['a: b', true],
    ['#x', true]
  ])('%s → %s', (value, expected) => {
    expect(needsQuotes(value)).toBe(expected)
  })
})
