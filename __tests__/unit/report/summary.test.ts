import { describe, expect, it } from '@jest/globals'
import { escapeCell } from '../../../src/report/markdown'
import { outputsOf, renderSummary } from '../../../src/report/summary'
import type { PipelineResult } from '../../../src/report/result'

const d = (c: string) => `sha256:${c.repeat(64)}` as const
const result: PipelineResult = {
  digest: d('1'),
  repository: 'ghcr.io/acme/api',
  image: `ghcr.io/acme/api@${d('1')}`,
  images: [`ghcr.io/acme/api@${d('1')}`],
  tags: ['ghcr.io/acme/api:abc'],
  configDigest: d('2'),
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  platforms: [
    {
      platform: 'linux/amd64',
      digest: d('1'),
      configDigest: d('2'),
      layers: [
        { digest: d('3'), size: 1024 * 1024, mediaType: 'x' },
        {
          digest: d('4'),
          size: 2048,
          mediaType: 'x',
          diffId: d('5'),
          source: 'dist|<b>',
          destination: '/app'
        }
      ]
    }
  ],
  base: { name: 'cgr.dev/chainguard/static:latest', digest: d('6') },
  revision: 'abc',
  sourceDateEpoch: 0,
  pushed: true,
  push: {
    blobs: [
      { digest: d('4'), size: 2048, outcome: 'uploaded' },
      { digest: d('3'), size: 1048576, outcome: 'mounted' }
    ],
    uploadedBytes: 2048,
    reusedBytes: 1048576,
    tags: [{ tag: 'abc', outcome: 'created' }]
  },
  signatures: [
    {
      subject: `ghcr.io/acme/api@${d('1')}`,
      legacy: `ghcr.io/acme/api:sha256-${'1'.repeat(64)}.sig@${d('7')}`,
      bundle: `ghcr.io/acme/api@${d('8')}`,
      attestations: [],
      written: { legacy: true, bundle: true, provenance: false }
    }
  ]
}

describe('report', () => {
  it('sets the contract outputs', () => {
    const outputs = outputsOf(result)
    expect(outputs.digest).toBe(d('1'))
    expect(outputs.image).toBe(`ghcr.io/acme/api@${d('1')}`)
    expect(outputs.tags).toBe('ghcr.io/acme/api:abc')
    expect(outputs['config-digest']).toBe(d('2'))
    expect(outputs.signature).toBe(
      `ghcr.io/acme/api:sha256-${'1'.repeat(64)}.sig@${d('7')}`
    )
    expect(JSON.parse(outputs.metadata).platforms[0].layers[1].diffId).toBe(
      d('5')
    )
  })

  it('renders a summary with the digest, tags, layers and upload totals, escaping user text', () => {
    const summary = renderSummary(result)
    expect(summary).toContain(`| Digest | <code>${d('1')}</code> |`)
    expect(summary).toContain('<code>ghcr.io/acme/api:abc</code> (created)')
    expect(summary).toContain(
      '| Upload | 2.0 KiB uploaded in 1 blobs, 1.0 MiB reused in 1 |'
    )
    expect(summary).toContain(
      '| 2 | <code>dist&#124;&lt;b&gt;</code> | <code>/app</code> |'
    )
    expect(summary).not.toContain('<b>')
    expect(summary).toContain(
      `cosign v3 bundle: <code>ghcr.io/acme/api@${d('8')}</code>`
    )
    // Every table row has the same number of cells as its header.
    for (const table of summary.split('\n\n').filter(b => b.includes('|---'))) {
      const rows = table.split('\n').filter(l => l.startsWith('|'))
      const cells = (row: string) => row.split('|').length
      expect(new Set(rows.map(cells)).size).toBe(1)
    }
  })

  it('says where the image was loaded (load), in the summary and the metadata', () => {
    const loaded = {
      engine: 'Podman',
      platform: 'linux/amd64',
      references: ['ghcr.io/acme/api:abc', 'ghcr.io/acme/api:tested']
    }
    const withLoad = { ...result, pushed: false, push: undefined, loaded }
    expect(renderSummary(withLoad)).toContain(
      '| Loaded | into Podman (linux/amd64): <code>ghcr.io/acme/api:abc</code><br><code>ghcr.io/acme/api:tested</code> |'
    )
    expect(JSON.parse(outputsOf(withLoad).metadata).loaded).toEqual(loaded)
    expect(renderSummary(result)).not.toContain('| Loaded |')
    expect(JSON.parse(outputsOf(result).metadata)).not.toHaveProperty('loaded')
  })

  it('says when an SBOM lacks base layers that could not be read', () => {
    const sbom = {
      platform: 'linux/amd64',
      path: '/tmp/x.cdx.json',
      packages: 3
    }
    const incomplete = {
      ...result,
      sboms: [{ ...sbom, unreadLayers: [d('9')] }]
    }
    expect(renderSummary(incomplete)).toContain(
      `| SBOM | 3 packages, CycloneDX, signed and attached; <code>/tmp/x.cdx.json</code><br>incomplete: 1 base layer could not be read (<code>${d('9')}</code>), their packages are not listed |`
    )
    expect(renderSummary({ ...result, sboms: [sbom] })).not.toContain(
      'incomplete'
    )
  })

  it('escapes Markdown and HTML in cells', () => {
    expect(escapeCell('a|b`c<d>&\nx')).toBe('a&#124;b&#96;c&lt;d&gt;&amp; x')
  })
})

describe('escapeCell against Markdown', () => {
  it('neutralises links, images and emphasis from manifest or file names', () => {
    expect(escapeCell('![x](https://evil.example/t.png) *a* _b_ [c]')).toBe(
      '\\!\\[x\\]\\(https://evil.example/t.png\\) \\*a\\* \\_b\\_ \\[c\\]'
    )
  })
})
