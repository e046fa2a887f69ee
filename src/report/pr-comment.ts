import { GitHubApiError, type GitHubApi } from '../github/api'
import { formatBytes } from '../util/format'
import { code, escapeCell } from './markdown'
import type { PipelineResult } from './result'

/** The hidden line that identifies this image's comment, so each run updates it in place. */
export function commentMarker(repository: string): string {
  return `<!-- imprint:image=${repository} -->`
}

function signedBytes(delta: number): string {
  if (delta === 0) return '±0'
  return `${delta > 0 ? '+' : '−'}${formatBytes(Math.abs(delta))}`
}

/** The sticky pull request comment: digest, references, and what changed against the base branch. */
export function renderComment(
  result: PipelineResult,
  baseBranch?: string
): string {
  // GitHub refuses comments over 65536 characters: without the layer tables when it would be.
  const full = render(result, baseBranch, true)
  return full.length < 60_000 ? full : render(result, baseBranch, false)
}

function render(
  result: PipelineResult,
  baseBranch: string | undefined,
  layerTables: boolean
): string {
  const lines = [
    commentMarker(result.repository),
    `### Imprint: ${escapeCell(result.repository)}`,
    ''
  ]
  lines.push('| | |', '|---|---|')
  lines.push(`| Digest | ${code(result.digest)} |`)
  lines.push(
    `| Image | ${result.pushed ? code(result.image) : `not pushed (${result.pushSkipped ? escapeCell(result.pushSkipped) : 'push: false'})`} |`
  )
  if (result.pushed && result.tags.length)
    lines.push(`| Tags | ${result.tags.map(code).join('<br>')} |`)
  lines.push(
    `| Platforms | ${result.platforms.map(p => escapeCell(p.platform)).join(', ')} |`
  )
  if (result.revision) lines.push(`| Commit | ${code(result.revision)} |`)
  for (const record of result.signatures)
    lines.push(`| Signature | ${code(record.legacy)} |`)

  const comparison = result.comparison
  const against = baseBranch
    ? `the ${code(baseBranch)} branch`
    : 'the base branch'
  lines.push('')
  if (!comparison) {
    lines.push(
      `No image was found for the base commit of ${against}, so there is nothing to compare with.`
    )
  } else {
    lines.push(
      `#### Compared with ${against} (${code(comparison.reference)})`,
      ''
    )
    const { before, after } = comparison.baseImage
    if (before !== after) {
      lines.push(
        `Base image changed: ${before ? code(before) : 'none'} → ${after ? code(after) : 'none'}`,
        ''
      )
    }
    for (const platform of comparison.platforms) {
      const changed = platform.layers.filter(
        l => l.status !== 'unchanged'
      ).length
      const removed = platform.removed.length
      const what =
        changed + removed === 0
          ? 'no layer changed'
          : `${changed} of ${platform.layers.length} layers changed${removed ? `, ${removed} removed` : ''}`
      lines.push(
        `**${escapeCell(platform.platform)}**: ${what}, ${formatBytes(platform.total)} (${signedBytes(platform.total - platform.baseTotal)})`,
        ''
      )
      if (!layerTables) continue
      lines.push(
        '| # | Layer | Digest | Size | Δ size | |',
        '|---|---|---|---|---|---|'
      )
      for (const layer of platform.layers) {
        lines.push(
          `| ${layer.position + 1} | ${layer.source ? code(layer.source) : 'base'} | ${code(layer.digest.slice(0, 19))} | ${formatBytes(layer.size)} | ${signedBytes(layer.delta)} | ${layer.status} |`
        )
      }
      for (const removed of platform.removed) {
        lines.push(
          `| – | removed | ${code(removed.digest.slice(0, 19))} | – | ${signedBytes(-removed.size)} | removed |`
        )
      }
      lines.push('')
    }
  }

  // GitHub refuses comments over 65536 characters: a long preview is cut, the log has it all.
  let preview = result.deploy?.preview ?? []
  const budget = 50_000
  if (preview.join('\n').length > budget) {
    preview = [
      preview.join('\n').slice(0, budget),
      '… (cut; the job log has the whole diff)'
    ]
  }
  if (preview.length) {
    lines.push(
      '<details><summary>Manifest changes merging this would make</summary>',
      '',
      '```diff',
      ...preview.map(d => d.replace(/```/g, '`\u200b``')),
      '```',
      '',
      '</details>',
      ''
    )
  }
  return lines.join('\n')
}

/** Keeps one comment per marker: updated in place when it exists, created otherwise. */
export async function upsertComment(
  api: GitHubApi,
  target: { owner: string; repo: string; issue: number },
  marker: string,
  body: string
): Promise<{ id: number; action: 'created' | 'updated' }> {
  // Ours start with the marker; a comment merely quoting it is someone else's.
  const existing = (
    await api.listComments(target.owner, target.repo, target.issue)
  ).find(c => c.body?.startsWith(marker))
  if (existing) {
    try {
      await api.updateComment(target.owner, target.repo, existing.id, body)
      return { id: existing.id, action: 'updated' }
    } catch (error) {
      // Not ours to edit (another author planted the marker): write our own instead.
      if (!(
        error instanceof GitHubApiError &&
        (error.status === 403 || error.status === 404)
      ))
        throw error
    }
  }
  const created = await api.createComment(
    target.owner,
    target.repo,
    target.issue,
    body
  )
  return { id: created.id, action: 'created' }
}
