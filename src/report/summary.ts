import { formatBytes } from '../util/format'
import { code, escapeCell } from './markdown'
import type { PipelineResult } from './result'

/** Output name → value, as `action.yml` declares them. */
export function outputsOf(result: PipelineResult): Record<string, string> {
  return {
    digest: result.digest,
    image: result.image,
    images: result.images.join('\n'),
    tags: result.tags.join('\n'),
    'config-digest': result.configDigest ?? '',
    platform: result.platforms.map(p => p.platform).join(','),
    signature: result.signatures[0]?.legacy ?? '',
    sbom: (result.sboms ?? []).map(s => s.path).join('\n'),
    'manifest-commit': result.deploy?.commit ?? '',
    'manifests-changed': result.deploy?.changed.join('\n') ?? '',
    'previous-image': result.deploy?.previous ?? '',
    'manifest-pull-request': result.deploy?.pullRequest?.url ?? '',
    metadata: JSON.stringify(metadataOf(result))
  }
}

export function metadataOf(result: PipelineResult): Record<string, unknown> {
  return {
    digest: result.digest,
    image: result.image,
    images: result.images,
    repository: result.repository,
    tags: result.tags,
    'config-digest': result.configDigest ?? null,
    mediaType: result.mediaType,
    base: result.base ?? null,
    revision: result.revision ?? null,
    sourceDateEpoch: result.sourceDateEpoch,
    pushed: result.pushed,
    platforms: result.platforms,
    ...(result.push
      ? {
          upload: {
            uploadedBytes: result.push.uploadedBytes,
            reusedBytes: result.push.reusedBytes,
            blobs: result.push.blobs,
            tags: result.push.tags
          }
        }
      : {}),
    ...(result.mirrors
      ? {
          mirrors: result.mirrors.map(m => ({
            repository: m.repository,
            uploadedBytes: m.push.uploadedBytes,
            reusedBytes: m.push.reusedBytes,
            tags: m.push.tags
          }))
        }
      : {}),
    ...(result.ociLayout ? { ociLayout: result.ociLayout } : {}),
    ...(result.loaded ? { loaded: result.loaded } : {}),
    signature: result.signatures[0]?.legacy ?? null,
    signatures: result.signatures,
    ...(result.sboms?.length ? { sboms: result.sboms } : {}),
    ...(result.deploy
      ? {
          manifests: {
            mode: result.deploy.mode,
            commit: result.deploy.commit ?? null,
            changed: result.deploy.changed,
            previous: result.deploy.previous ?? null,
            skipped: result.deploy.skipped ?? null,
            pullRequest: result.deploy.pullRequest ?? null,
            changes: result.deploy.changes.map(c => ({
              file: c.path,
              ...c.change
            }))
          }
        }
      : {})
  }
}

/** The job summary as Markdown; pure, so it is tested as text. */
export function renderSummary(result: PipelineResult): string {
  const lines: string[] = []
  lines.push(`### Imprint: ${escapeCell(result.repository)}`, '')
  lines.push('| | |', '|---|---|')
  lines.push(`| Digest | ${code(result.digest)} |`)
  lines.push(
    `| Image | ${result.images.map(image => code(image)).join('<br>')} |`
  )
  const pushes = [
    ...(result.push
      ? [{ repository: result.repository, push: result.push }]
      : []),
    ...(result.mirrors ?? [])
  ]
  const tagOutcome = new Map(
    pushes.flatMap(({ repository, push }) =>
      push.tags.map(t => [`${repository}:${t.tag}`, t.outcome])
    )
  )
  if (result.tags.length) {
    const tags = result.tags.map(ref => {
      const outcome = tagOutcome.get(ref)
      return `${code(ref)}${outcome ? ` (${outcome})` : ''}`
    })
    lines.push(`| Tags | ${tags.join('<br>')} |`)
  }
  lines.push(
    `| Platforms | ${result.platforms.map(p => escapeCell(p.platform)).join(', ')} |`
  )
  if (result.configDigest)
    lines.push(`| Config | ${code(result.configDigest)} |`)
  if (result.base)
    lines.push(
      `| Base | ${code(result.base.name)}${result.base.digest ? ` @ ${code(result.base.digest)}` : ''} |`
    )
  else lines.push('| Base | scratch |')
  if (result.revision) lines.push(`| Revision | ${code(result.revision)} |`)
  if (pushes.length) {
    for (const { repository, push } of pushes) {
      const uploaded = push.blobs.filter(b => b.outcome === 'uploaded').length
      const where = pushes.length > 1 ? ` to ${code(repository)}` : ''
      lines.push(
        `| Upload | ${formatBytes(push.uploadedBytes)} uploaded${where} in ${uploaded} blobs, ` +
          `${formatBytes(push.reusedBytes)} reused in ${push.blobs.length - uploaded} |`
      )
    }
  } else {
    lines.push(
      `| Upload | not pushed${result.ociLayout ? `; written to OCI layout ${code(result.ociLayout)}` : ''} |`
    )
  }
  if (result.loaded)
    lines.push(
      `| Loaded | into ${escapeCell(result.loaded.engine)} (${escapeCell(result.loaded.platform)}): ${result.loaded.references.map(code).join('<br>')} |`
    )

  for (const record of result.signatures) {
    lines.push(
      `| Signature | ${code(record.subject)}<br>cosign v2 / containers/image: ${code(record.legacy)}<br>cosign v3 bundle: ${code(record.bundle)}${record.provenance ? `<br>SLSA provenance: ${code(record.provenance)}` : ''} |`
    )
  }
  if (result.pushed && result.signatures.length === 0)
    lines.push('| Signature | not signed |')
  for (const sbom of result.sboms ?? [])
    lines.push(
      `| SBOM | ${sbom.packages} packages${result.sboms!.length > 1 ? ` (${escapeCell(sbom.platform)})` : ''}, CycloneDX, signed and attached; ${code(sbom.path)}${sbom.unreadLayers?.length ? `<br>incomplete: ${sbom.unreadLayers.length} base layer${sbom.unreadLayers.length > 1 ? 's' : ''} could not be read (${sbom.unreadLayers.map(code).join(', ')}), their packages are not listed` : ''} |`
    )

  if (result.deploy) {
    const d = result.deploy
    const what = d.skipped
      ? `not updated: ${escapeCell(d.skipped)}`
      : d.pullRequest
        ? `pull request ${escapeCell(d.pullRequest.url)} ${d.pullRequest.operation}`
        : d.commit
          ? `committed ${code(d.commit)} (${d.changed.length} files)`
          : d.changed.length
            ? `${d.changed.length} files edited in the workspace`
            : 'already up to date'
    lines.push(`| Manifests | ${what} |`)
    if (d.previous) lines.push(`| Previous image | ${code(d.previous)} |`)
  }

  const total = (
    layers: PipelineResult['platforms'][number]['layers']
  ): number => layers.reduce((n, l) => n + l.size, 0)
  for (const platform of result.platforms) {
    lines.push(
      '',
      `#### Layers — ${escapeCell(platform.platform)} (${formatBytes(total(platform.layers))} compressed)`,
      ''
    )
    if (result.platforms.length > 1)
      lines.push(`Manifest ${code(platform.digest)}`, '')
    lines.push(
      '| # | Source | Destination | Digest | Size |',
      '|---|---|---|---|---|'
    )
    platform.layers.forEach((layer, i) => {
      const source = layer.source === undefined ? 'base' : code(layer.source)
      const destination =
        layer.destination === undefined ? '' : code(layer.destination)
      lines.push(
        `| ${i + 1} | ${source} | ${destination} | ${code(layer.digest.slice(0, 19))} | ${formatBytes(layer.size)} |`
      )
    })
  }
  if (result.deploy?.changes.length) {
    lines.push(
      '',
      '#### Manifest changes',
      '',
      '| File | Path | From | To |',
      '|---|---|---|---|'
    )
    for (const { path, change } of result.deploy.changes) {
      lines.push(
        `| ${code(path)} | ${code(change.path)} | ${code(change.from)} | ${code(change.to)} |`
      )
    }
  }
  return lines.join('\n') + '\n'
}

/** The summary of a failed run: the errors, and the image as far as it was built. */
export function renderFailureSummary(
  errors: string[],
  assembled: PipelineResult | undefined
): string {
  const lines = ['### Imprint: failed', '']
  for (const error of errors) lines.push(`> ${escapeCell(error)}`, '')
  if (assembled) {
    lines.push(
      `The image was assembled (${code(assembled.digest)}) but not completely published.`,
      ''
    )
    lines.push(renderSummary({ ...assembled, push: undefined }))
  }
  return lines.join('\n') + '\n'
}
