import type { Repository } from '../oci/reference'
import { parseNamedPath, type NamedPath } from '../deploy/edit/types'
import { parseList } from '../util/list-input'
import { oneOf, type InputReader } from './fields'

/** Which manifests are pointed at the new image, and how the change is written. */
export interface DeployInputs {
  image: Repository
  /** Files or globs, relative to the repository root, whose references to `image` are pinned. */
  manifests: string[]
  manifestCommit: 'push' | 'pull-request' | 'none'
  /** `owner/repo` of a separate GitOps repository. */
  manifestRepository?: string
  /** For the manifest clone, push and pull request API: `manifest-token`, else `github-token`. */
  manifestToken?: string
  manifestBranch?: string
  commitMessage: string
  manifestNoMatch: 'error' | 'warning'
  /** Fields named by the user that receive the tag, digest or reference in every manifest. */
  manifestPaths: NamedPath[]
}

export function readDeployInputs(
  reader: InputReader,
  image: Repository
): DeployInputs {
  return {
    image,
    manifests: reader.field('manifests', parseList, []),
    manifestCommit: reader.field(
      'manifest-commit',
      oneOf('push', 'pull-request', 'none'),
      'none'
    ),
    manifestRepository: reader.optional('manifest-repository', value => {
      if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(value))
        throw new Error(`"${value}" is not OWNER/REPOSITORY`)
      return value
    }),
    manifestToken:
      reader.exact('manifest-token').trim() ||
      reader.exact('github-token') ||
      undefined,
    manifestBranch: reader.optional('manifest-branch', value => {
      if (!/^[A-Za-z0-9._/-]+$/.test(value) || value.includes('..'))
        throw new Error(`"${value}" is not a valid branch name`)
      return value
    }),
    commitMessage: reader.field('commit-message', value => value, ''),
    manifestNoMatch: reader.field(
      'manifest-no-match',
      oneOf('error', 'warning'),
      'error'
    ),
    manifestPaths: reader.field(
      'manifest-paths',
      value => parseList(value).map(parseNamedPath),
      []
    )
  }
}
