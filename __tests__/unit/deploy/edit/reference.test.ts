import { describe, expect, it } from '@jest/globals'
import { editManifest } from '../../../../src/deploy/edit'
import { Repository } from '../../../../src/oci/reference'

const old = `sha256:${'7'.repeat(64)}`
const digest = `sha256:${'8'.repeat(64)}` as const
const tag = 'v5.0.1'
const edit = (file: string, src: string, image: string) =>
  editManifest(file, src, { repository: Repository.parse(image), tag, digest })

describe('digest-only references stay digest-only', () => {
  it('in step images, sidecars and a flag value in a flow sequence', () => {
    const src = `apiVersion: tekton.dev/v1
kind: TaskRun
metadata:
  name: smoke
spec:
  taskSpec:
    steps:
      - image: mirror.example.com/tools/shell@${old}
        script: echo ok
      - image: mirror.example.com/tools/shell:1.36@${old}
    sidecars:
      - image: mirror.example.com/tools/shell@${old}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: controller
spec:
  template:
    spec:
      containers:
        - name: controller
          image: ghcr.io/team/controller:1.0
          args: [
            "-shell-image", "mirror.example.com/tools/shell@${old}",
          ]
`
    const result = edit('tasks.yaml', src, 'mirror.example.com/tools/shell')
    expect(result.text).toBe(
      src
        .replaceAll(`shell@${old}`, `shell@${digest}`)
        .replace(`shell:1.36@${old}`, `shell:${tag}@${digest}`)
    )
    expect(result.changes.map(c => c.to)).toEqual([
      `mirror.example.com/tools/shell@${digest}`,
      `mirror.example.com/tools/shell:${tag}@${digest}`,
      `mirror.example.com/tools/shell@${digest}`,
      `mirror.example.com/tools/shell@${digest}`
    ])
  })

  it('in a kustomization entry pinned by digest alone', () => {
    const src = `images:
  - name: shell
    newName: mirror.example.com/tools/shell
    digest: ${old}
`
    const result = edit(
      'kustomization.yaml',
      src,
      'mirror.example.com/tools/shell'
    )
    expect(result.text).toBe(src.replace(old, digest))
    expect(result.changes[0].to).toBe(
      `mirror.example.com/tools/shell@${digest}`
    )
  })
})
