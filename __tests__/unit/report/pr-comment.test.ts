import { describe, expect, it } from '@jest/globals'
import { marked } from 'marked'
import type { PipelineResult } from '../../../src/report/result'
import { commentMarker, renderComment } from '../../../src/report/pr-comment'

const d = (c: string) => `sha256:${c.repeat(64)}` as const
const base: PipelineResult = {
  digest: d('1'),
  repository: 'ghcr.io/acme/api',
  image: `ghcr.io/acme/api@${d('1')}`,
  images: [`ghcr.io/acme/api@${d('1')}`],
  tags: ['ghcr.io/acme/api:abc'],
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  platforms: [
    {
      platform: 'linux/amd64',
      digest: d('1'),
      configDigest: d('2'),
      layers: []
    }
  ],
  sourceDateEpoch: 0,
  pushed: true,
  signatures: []
}

describe('renderComment', () => {
  it('starts with the hidden marker and says when there is no base image to compare with', () => {
    const text = renderComment(base, 'main')
    expect(text.startsWith(commentMarker('ghcr.io/acme/api'))).toBe(true)
    expect(text).toContain(
      'No image was found for the base commit of the <code>main</code> branch'
    )
    // A branch name is escaped once, for HTML (inside backticks the escapes would show).
    const odd = renderComment(base, 'feature_x<y>')
    expect(odd).toContain('the <code>feature\\_x&lt;y&gt;</code> branch')
    expect(odd).not.toContain('`')
  })

  it('stays under the GitHub comment size limit with a huge manifest preview', () => {
    const huge = {
      ...base,
      deploy: {
        mode: 'push' as const,
        changed: [],
        changes: [],
        preview: ['+x'.repeat(60_000)]
      }
    }
    const text = renderComment(huge, 'main')
    expect(text.length).toBeLessThan(65_536)
    expect(text).toContain('(cut; the job log has the whole diff)')
  })

  it('reports base image changes, layer deltas and removed layers, escaping user text', () => {
    const text = renderComment(
      {
        ...base,
        comparison: {
          reference: 'ghcr.io/acme/api:base',
          platforms: [
            {
              platform: 'linux/amd64',
              layers: [
                {
                  position: 0,
                  digest: d('3'),
                  size: 100,
                  status: 'changed',
                  delta: -20
                },
                {
                  position: 1,
                  digest: d('4'),
                  size: 50,
                  source: 'dist|<x>',
                  status: 'added',
                  delta: 50
                }
              ],
              removed: [{ digest: d('5'), size: 10 }],
              total: 150,
              baseTotal: 130
            }
          ],
          baseImage: { before: d('6'), after: d('7') }
        }
      },
      'main'
    )
    expect(text).toContain(
      `Base image changed: <code>${d('6')}</code> → <code>${d('7')}</code>`
    )
    expect(text).toContain(
      '**linux/amd64**: 2 of 2 layers changed, 1 removed, 150 B (+20 B)'
    )
    expect(text).toContain('| 1 | base |')
    expect(text).toContain('−20 B | changed |')
    expect(text).toContain('<code>dist&#124;&lt;x&gt;</code>')
    expect(text).toContain('| – | removed |')
  })
})

// Issue #14, finding 16: checked as a reader sees it, the Markdown rendered to HTML (marked,
// GitHub-flavoured), then the HTML's text.
const plain: PipelineResult = {
  digest: d('1'),
  repository: 'ghcr.io/acme/api',
  image: `ghcr.io/acme/api@${d('1')}`,
  images: [`ghcr.io/acme/api@${d('1')}`],
  tags: ['ghcr.io/acme/api:abc'],
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  platforms: [
    {
      platform: 'linux/amd64',
      digest: d('1'),
      configDigest: d('2'),
      layers: []
    }
  ],
  sourceDateEpoch: 0,
  pushed: true,
  signatures: []
}

/** The text a reader sees: rendered, tags dropped, entities decoded. */
function visibleText(markdown: string): string {
  const html = marked.parse(markdown, { async: false }) as string
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&amp;/g, '&')
}

// A valid git branch name with characters Markdown and HTML treat specially.
const branch = 'release_1.x<rc>&co|fix'

describe('finding 16: the base branch name in the pull request comment', () => {
  it('reads as the branch is named when there is nothing to compare with', () => {
    const text = visibleText(renderComment(plain, branch))
    expect(text).toContain(
      `No image was found for the base commit of the ${branch} branch`
    )
  })

  it('reads as the branch is named in the comparison heading', () => {
    const text = visibleText(
      renderComment(
        {
          ...plain,
          comparison: {
            reference: 'ghcr.io/acme/api:base',
            platforms: [],
            baseImage: { before: d('6'), after: d('6') }
          }
        },
        branch
      )
    )
    expect(text).toContain(`Compared with the ${branch} branch`)
  })
})
