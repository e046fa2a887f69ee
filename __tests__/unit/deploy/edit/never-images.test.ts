import { describe, expect, it } from '@jest/globals'
import { editManifest } from '../../../../src/deploy/edit'
import { Repository } from '../../../../src/oci/reference'

const digest = `sha256:${'e'.repeat(64)}` as const
const tag = 'v2.4.0'
const edit = (file: string, src: string, image: string) =>
  editManifest(file, src, { repository: Repository.parse(image), tag, digest })

describe('kinds whose image fields name repositories, not deployed images', () => {
  it('leaves a Flux ImageRepository and ImagePolicy alone, and pins the Deployment next to them', () => {
    const src = `apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata:
  name: shop
spec:
  image: registry.example.com/team/shop
  interval: 5m
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata:
  name: shop
spec:
  imageRepositoryRef:
    name: shop
  policy:
    semver:
      range: ">=2.0.0"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  template:
    spec:
      containers:
        - name: shop
          image: registry.example.com/team/shop:v2.3.1
`
    const result = edit('flux.yaml', src, 'registry.example.com/team/shop')
    expect(result.text).toBe(
      src.replace(
        'shop:v2.3.1',
        `shop:${tag}@${digest}` // only the container
      )
    )
    expect(result.changes.map(c => `${c.document} ${c.path}`)).toEqual([
      '2 spec.template.spec.containers[0].image'
    ])
  })

  it('never pins push targets: Shipwright output, kpack tag, OpenShift BuildConfig output', () => {
    const src = `apiVersion: shipwright.io/v1beta1
kind: BuildRun
metadata:
  name: shop-run
spec:
  build:
    spec:
      output:
        image: quay.example.org/team/shop:latest
---
apiVersion: kpack.io/v1alpha2
kind: Image
metadata:
  name: shop
spec:
  tag: quay.example.org/team/shop:edge
---
apiVersion: build.openshift.io/v1
kind: BuildConfig
metadata:
  name: shop
spec:
  strategy:
    dockerStrategy:
      from:
        kind: DockerImage
        name: quay.example.org/team/shop:base
  output:
    to:
      kind: DockerImage
      name: quay.example.org/team/shop:latest
`
    const result = edit('builds.yaml', src, 'quay.example.org/team/shop')
    // The build's base image (an input) is pinned; its outputs stay.
    expect(result.changes.map(c => `${c.document} ${c.path}`)).toEqual([
      '2 spec.strategy.dockerStrategy.from.name'
    ])
    expect(result.unmatched.map(f => f.path)).toEqual([
      'spec.build.spec.output.image',
      'spec.tag',
      'spec.output.to.name'
    ])
  })

  it('leaves what Argo CD Image Updater watches and what a kustomize patch selects', () => {
    const updater = `apiVersion: argocd-image-updater.argoproj.io/v1alpha1
kind: ImageUpdater
metadata:
  name: shop
spec:
  applicationRefs:
    - namePattern: shop-*
      images:
        - alias: shop
          imageName: "ghcr.io/team/shop:2.x"
`
    expect(edit('updater.yaml', updater, 'ghcr.io/team/shop').text).toBe(
      updater
    )
    const kustomization = `resources:
  - deployment.yaml
patches:
  - path: probes.yaml
    target:
      kind: Deployment
      image: ghcr.io/team/shop
images:
  - name: ghcr.io/team/shop
    newTag: 2.3.1
`
    const result = edit(
      'kustomization.yaml',
      kustomization,
      'ghcr.io/team/shop'
    )
    expect(result.text).toBe(
      kustomization.replace(
        'newTag: 2.3.1',
        `newTag: ${tag}\n    digest: ${digest}`
      )
    )
  })

  it('leaves the status of live objects alone, also inside a List', () => {
    const src = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata:
      name: shop-7d9f
      resourceVersion: "48121"
    spec:
      containers:
        - name: shop
          image: ghcr.io/team/shop:2.3.1
    status:
      containerStatuses:
        - name: shop
          image: ghcr.io/team/shop:2.3.1
          imageID: ghcr.io/team/shop@sha256:${'1'.repeat(64)}
`
    const result = edit('dump.yaml', src, 'ghcr.io/team/shop')
    expect(result.changes.map(c => c.path)).toEqual([
      'items[0].spec.containers[0].image'
    ])
    expect(result.text).toContain('  image: ghcr.io/team/shop:2.3.1\n')
    expect(result.text).toContain(
      `imageID: ghcr.io/team/shop@sha256:${'1'.repeat(64)}`
    )
  })
})

describe('full references that are build or push targets', () => {
  it('leaves a compose service that builds its image, and pins the ones that pull it', () => {
    const src = `services:
  api:
    build: ./api
    image: acme/shop-api:dev
  worker:
    image: acme/shop-api:1.4
    command: ["worker"]
`
    const result = edit('compose.yaml', src, 'docker.io/acme/shop-api')
    expect(result.text).toBe(
      src.replace('acme/shop-api:1.4', `acme/shop-api:${tag}@${digest}`)
    )
    expect(result.unmatched).toEqual([
      {
        document: 0,
        path: 'services.api.image',
        why: 'the name `docker compose build` gives the image it builds'
      }
    ])
  })

  it('pins a workflow parameter only when a step runs it as its image', () => {
    const src = `apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: package
spec:
  params:
    - name: TOOL_IMAGE
      default: ghcr.io/team/packager:1.2
    - name: OUTPUT
      default: ghcr.io/team/packager:nightly
  steps:
    - name: package
      image: $(params.TOOL_IMAGE)
      args: ["--push", "$(params.OUTPUT)"]
---
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: publish
spec:
  arguments:
    parameters:
      - name: target
        value: ghcr.io/team/packager:nightly
  templates:
    - name: main
      container:
        image: ghcr.io/team/buildctl:0.13
        args: ["--output", "name={{workflow.parameters.target}},push=true"]
`
    const result = edit('pipeline.yaml', src, 'ghcr.io/team/packager')
    expect(result.changes.map(c => `${c.document} ${c.path}`)).toEqual([
      '0 spec.params[0].default'
    ])
    expect(result.unmatched.map(f => `${f.document} ${f.path}`)).toEqual([
      '0 spec.params[1].default',
      '1 spec.arguments.parameters[0].value'
    ])
  })

  it('follows a Pipeline parameter handed on to a Task parameter used as an image', () => {
    const src = `apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: ci
spec:
  params:
    - name: runner
      default: ghcr.io/team/runner:3
  tasks:
    - name: test
      params:
        - name: RUNNER
          value: $(params.runner)
      taskSpec:
        params:
          - name: RUNNER
        steps:
          - image: $(params.RUNNER)
            script: make test
`
    const result = edit('ci.yaml', src, 'ghcr.io/team/runner')
    expect(result.changes.map(c => c.path)).toEqual(['spec.params[0].default'])
  })

  it('does not treat the inputs of a GitHub Actions step as image fields', () => {
    const src = `on: push
jobs:
  publish:
    runs-on: ubuntu-latest
    container:
      image: acme/shop:1.0
    steps:
      - uses: actions/checkout@v4
        with:
          repository: acme/shop
          ref: main
      - uses: docker/build-push-action@v6
        with:
          tags: acme/shop:latest
`
    const result = edit('.github/workflows/ci.yml', src, 'docker.io/acme/shop')
    expect(result.changes.map(c => c.path)).toEqual([
      'jobs.publish.container.image'
    ])
    expect(result.text).not.toContain('tag: ')
  })
})
