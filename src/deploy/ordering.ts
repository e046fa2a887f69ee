import type { Git } from '../git/git'
import type { Logger } from '../util/log'
import type { ManifestChange } from './edit'

/**
 * The commit a deployed reference names in its tag: `name:<sha>[@digest]`, a bare tag value (a
 * tag field), or a tag that holds the SHA among other words (`sha-<sha>`, `<sha>-<base digest>`,
 * as `{{sha}}-{{base_digest}}` renders). A digest is never read as a commit.
 */
export function deployedCommit(reference: string): string | undefined {
  const named = reference.split('@')[0]
  const last = named.slice(named.lastIndexOf('/') + 1)
  const colon = last.indexOf(':')
  const tag =
    colon >= 0 ? last.slice(colon + 1) : named.includes('/') ? '' : last
  return /(?:^|[^0-9a-f])([0-9a-f]{40})(?![0-9a-f])/.exec(tag)?.[1]
}

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
    const deployed = deployedCommit(change.from)
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
