// Issue #14, finding 16: the pull request comment shows the base branch's name as it is. It is
// checked as a reader sees it: the Markdown rendered to HTML (marked, GitHub-flavoured), then
// the HTML's text.
import { describe, expect, it } from '@jest/globals'
import { marked } from 'marked'
import type { PipelineResult } from '../../src/pipeline/result'
import { renderComment } from '../../src/report/pr-comment'

const d = (c: string) => `sha256:${c.repeat(64)}` as const
const result: PipelineResult = {
  digest: d('1'),
  repository: 'ghcr.io/acme/api',
  image: `ghcr.io/acme/api@${d('1')}`,
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
    const text = visibleText(renderComment(result, branch))
    expect(text).toContain(
      `No image was found for the base commit of the ${branch} branch`
    )
  })

  it('reads as the branch is named in the comparison heading', () => {
    const text = visibleText(
      renderComment(
        {
          ...result,
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
