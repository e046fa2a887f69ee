import { describe, expect, it } from '@jest/globals'
import { editManifest, parseNamedPath } from '../../../../src/deploy/edit'
import { Repository } from '../../../../src/oci/reference'

const hex = 'c'.repeat(64)
const digest = `sha256:${hex}` as const
const tag = 'v3.1.0'
const edit = (src: string, image: string, paths: string[] = []) =>
  editManifest('values.yaml', src, {
    repository: Repository.parse(image),
    tag,
    digest,
    paths: paths.map(parseNamedPath)
  })

describe('Helm image maps need more than a lone repository key', () => {
  it('leaves a mapping whose only image-like key is repository, unless it is under an image key', () => {
    const src = `release:
  checkout:
    repository: acme/charts
    ref: gh-pages
proxy:
  image:
    repository: acme/charts
`
    const result = edit(src, 'docker.io/acme/charts')
    expect(result.text).toBe(
      src.replace(
        'image:\n    repository: acme/charts\n',
        `image:\n    repository: acme/charts\n    tag: ${tag}\n`
      )
    )
    expect(result.changes.map(c => c.path)).toEqual(['proxy.image'])
    expect(result.unmatched).toEqual([
      { document: 0, path: 'release.checkout.repository' }
    ])
  })

  it('accepts a registry key or a tag key as evidence, without inserting a tag', () => {
    const src = `gateway:
  registry: quay.example.org
  repository: team/gateway
  pullPolicy: Always
api:
  repository: quay.example.org/team/gateway
  tag: ""
`
    const result = edit(src, 'quay.example.org/team/gateway')
    expect(result.text).toBe(src.replace('tag: ""', `tag: "${tag}"`))
    expect(result.matches).toBe(2)
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /^values\.yaml: gateway, api name quay\.example\.org\/team\/gateway but have no digest field \(or no tag field\).*"gateway\.tag=tag", "gateway\.digest=digest", "api\.digest=digest"$/
      )
    ])
  })
})

describe('image + tag pairs', () => {
  it('sets the sibling tag and keeps image a bare repository, in block and flow maps', () => {
    const src = `upgradeJob:
  kubectl:
    image: rancher/kubectl
    tag: v1.34.0
matrix:
  - { image: 'rancher/kubectl', tag: 'v1.33.2' }
  - { image: 'rancher/shell', tag: 'v0.5.0' }
`
    const result = edit(src, 'docker.io/rancher/kubectl')
    expect(result.text).toBe(
      src
        .replace('tag: v1.34.0', `tag: ${tag}`)
        .replace(`tag: 'v1.33.2'`, `tag: '${tag}'`)
    )
    expect(result.changes.map(c => c.to)).toEqual([
      `rancher/kubectl:${tag}`,
      `rancher/kubectl:${tag}`
    ])
  })

  it('joins the global registry (ingress-nginx) and leaves other digests alone', () => {
    const src = `global:
  image:
    registry: registry.example.io
controller:
  image:
    # registry: registry.example.io
    image: edge/controller
    tag: "v1.15.1"
    digest: sha256:${'1'.repeat(64)}
    digestChroot: sha256:${'2'.repeat(64)}
    pullPolicy: IfNotPresent
`
    const result = edit(src, 'registry.example.io/edge/controller')
    expect(result.text).toBe(
      src
        .replace('"v1.15.1"', `"${tag}"`)
        .replace(`digest: sha256:${'1'.repeat(64)}`, `digest: ${digest}`)
    )
    expect(result.warnings).toEqual([])
    // Without the global registry the same map is a Docker Hub image.
    expect(
      edit(
        src.replace('registry.example.io\n', 'null\n'),
        'docker.io/edge/controller'
      ).matches
    ).toBe(1)
  })

  it('uses global.imageRegistry (Bitnami) for a map without its own registry', () => {
    const src = `global:
  imageRegistry: mirror.example.io
metrics:
  image:
    repository: acme/exporter
    tag: 0.9.0
    digest: ""
`
    const result = edit(src, 'mirror.example.io/acme/exporter')
    expect(result.text).toBe(
      src
        .replace('tag: 0.9.0', `tag: ${tag}`)
        .replace('digest: ""', `digest: "${digest}"`)
    )
  })
})

describe('composed names (cert-manager)', () => {
  it('composes imageRegistry + imageNamespace + image.name and adds the tag', () => {
    const src = `imageRegistry: quay.example.io
imageNamespace: certs
image:
  name: issuer-controller
  repository: ""
  # tag: v1.0.0
webhook:
  image:
    name: issuer-webhook
    repository: ""
`
    const result = edit(src, 'quay.example.io/certs/issuer-controller')
    expect(result.text).toBe(
      src.replace('repository: ""\n  #', `repository: ""\n  tag: ${tag}\n  #`)
    )
    expect(result.warnings[0]).toMatch(/"image\.digest=digest"$/)
  })
})

describe('sha keys and digest-only maps', () => {
  it('writes hex into an empty sha, keeps the form of one that has a value, and warns once', () => {
    const src = `prometheus:
  image:
    registry: quay.example.io
    repository: team/prom
    tag: v2.0.0
    sha: ""
thanos:
  image:
    registry: quay.example.io
    repository: team/prom
    tag: v2.0.0
    sha: sha256:${'3'.repeat(64)}
ruler:
  image:
    registry: quay.example.io
    repository: team/prom
    tag: v2.0.0
    sha: ${'4f'.repeat(32)}
`
    const result = edit(src, 'quay.example.io/team/prom')
    expect(result.text).toBe(
      src
        .replaceAll('tag: v2.0.0', `tag: ${tag}`)
        .replace('sha: ""', `sha: "${hex}"`)
        .replace(`sha: sha256:${'3'.repeat(64)}`, `sha: ${digest}`)
        .replace(`sha: ${'4f'.repeat(32)}`, `sha: ${hex}`)
    )
    expect(result.warnings).toEqual([
      expect.stringContaining(
        'prometheus.image.sha had no value to show its format'
      )
    ])
    expect(result.changes[2].from).toBe(
      `quay.example.io/team/prom:v2.0.0@sha256:${'4f'.repeat(32)}`
    )
    // An explicit manifest-paths line wins, and silences the warning.
    const named = edit(src, 'quay.example.io/team/prom', [
      'prometheus.image.sha=digest'
    ])
    expect(named.text).toContain(`sha: "${digest}"\nthanos`)
    expect(named.warnings).toEqual([])
  })

  it('pins a repository + digest map by digest alone, without adding a tag', () => {
    const src = `oauthProxy:
  image:
    repository: quay.example.io/auth/proxy
    # pinned index for 7.8
    digest: sha256:${'5'.repeat(64)}
`
    const result = edit(src, 'quay.example.io/auth/proxy')
    expect(result.text).toBe(src.replace(`sha256:${'5'.repeat(64)}`, digest))
    expect(result.changes[0].to).toBe(`quay.example.io/auth/proxy@${digest}`)
    expect(result.warnings).toEqual([])
  })

  it('keeps a tag written as tag@digest in that form', () => {
    const old = `sha256:${'6'.repeat(64)}`
    const src = `web:
  image:
    repository: ghcr.io/acme/web
    tag: "1.0@${old}"
errorPages:
  image:
    registry: ghcr.io
    image: acme/web
    tag: 1.0@${old}
`
    expect(edit(src, 'ghcr.io/acme/web').text).toBe(
      src
        .replace(`"1.0@${old}"`, `"${tag}@${digest}"`)
        .replace(`tag: 1.0@${old}`, `tag: ${tag}@${digest}`)
    )
  })
})

describe('the missing digest field', () => {
  it('is reported once per file, and manifest-paths adds it', () => {
    const src = `web:
  image:
    repository: ghcr.io/acme/web
    tag: 1.0.0
    pullPolicy: IfNotPresent
jobs:
  image:
    repository: ghcr.io/acme/web
    tag: 1.0.0
`
    const warned = edit(src, 'ghcr.io/acme/web')
    expect(warned.warnings).toEqual([
      'values.yaml: web.image, jobs.image name ghcr.io/acme/web but have no digest field, so the image is not pinned by digest there. If the template that renders it reads one, these manifest-paths lines add them: "web.image.digest=digest", "jobs.image.digest=digest"'
    ])
    const added = edit(src, 'ghcr.io/acme/web', [
      'web.image.digest=digest',
      'jobs.image.digest=digest'
    ])
    expect(added.text).toBe(
      src.replaceAll('tag: 1.0.0', `tag: ${tag}\n    digest: ${digest}`)
    )
    expect(added.warnings).toEqual([])
  })
})
