import type { Git } from '../git/git'
import type { Logger } from '../util/log'
import type { ManifestChange } from './edit'

// A commit SHA as a tag (`name:<sha>[@digest]`) or as a bare value (a tag field).
const commitTag = /(?:^|:)([0-9a-f]{40})(?:@|$)/

/**
 * The ordering guard: a deployed image tagged with a commit that descends from ours is newer,
 * so an out-of-order build must not replace it. Commits the checkout does not have are fetched
 * once; when the order still cannot be told, the update goes ahead with a notice.
 */
export function orderingGuard(
  git: Git,
  sha: string | undefined,
  /** The checkout of the source repository: image tags are its commits (not the GitOps repository's). */
  cwd: string,
  remote: string,
  log: Logger
) {
  return async (change: ManifestChange): Promise<boolean> => {
    const deployed = commitTag.exec(change.from)?.[1]
    if (!sha || !deployed || deployed === sha) return true
    let newer = await git.isAncestor(cwd, sha, deployed)
    if (newer === 'unknown') {
      // Only a shallow checkout is deepened; a full clone is fetched into without --depth.
      const depth = (await git.isShallow(cwd)) ? ['--depth=200'] : []
      await git
        .run(cwd, ['fetch', '--no-tags', ...depth, remote, deployed, sha])
        .catch(() => undefined)
      newer = await git.isAncestor(cwd, sha, deployed)
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
