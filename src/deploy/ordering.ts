import { execFile } from 'node:child_process'
import type { Logger } from '../util/log'
import type { ManifestChange } from './yaml-edit'

// A commit SHA as a tag (`name:<sha>[@digest]`) or as a bare value (a tag field).
const commitTag = /(?:^|:)([0-9a-f]{40})(?:@|$)/

function isAncestor(
  cwd: string,
  ancestor: string,
  descendant: string
): Promise<'yes' | 'no' | 'unknown'> {
  return new Promise(resolve => {
    execFile(
      'git',
      ['merge-base', '--is-ancestor', ancestor, descendant],
      { cwd },
      error => {
        if (!error) resolve('yes')
        else resolve((error as { code?: number }).code === 1 ? 'no' : 'unknown')
      }
    )
  })
}

/**
 * The ordering guard: a deployed image tagged with a commit that descends from ours is newer,
 * so an out-of-order build must not replace it. Commits the checkout does not have are fetched
 * once; when the order still cannot be told, the update goes ahead with a notice.
 */
export function orderingGuard(
  sha: string | undefined,
  /** The checkout of the source repository: image tags are its commits (not the GitOps repository's). */
  cwd: string,
  remote: string,
  log: Logger
) {
  return async (change: ManifestChange): Promise<boolean> => {
    const deployed = commitTag.exec(change.from)?.[1]
    if (!sha || !deployed || deployed === sha) return true
    let newer = await isAncestor(cwd, sha, deployed)
    if (newer === 'unknown') {
      // Only a shallow checkout is deepened; a full clone is fetched into without --depth.
      const shallow = await new Promise<boolean>(resolve =>
        execFile(
          'git',
          ['rev-parse', '--is-shallow-repository'],
          { cwd },
          (_error, out) => resolve(String(out).trim() === 'true')
        )
      )
      await new Promise<void>(resolve =>
        execFile(
          'git',
          [
            'fetch',
            '--no-tags',
            ...(shallow ? ['--depth=200'] : []),
            remote,
            deployed,
            sha
          ],
          { cwd },
          () => resolve()
        )
      )
      newer = await isAncestor(cwd, sha, deployed)
    }
    if (newer === 'yes') {
      log.warning(
        `${change.path}: the deployed image is from ${deployed.slice(0, 7)}, newer than ${sha.slice(0, 7)}; not replacing it`
      )
      return false
    }
    if (newer === 'unknown') {
      log.info(
        `${change.path}: cannot tell whether ${deployed.slice(0, 7)} is newer than ${sha.slice(0, 7)}; updating`
      )
    }
    return true
  }
}
