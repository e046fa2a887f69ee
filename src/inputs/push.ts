import { Registry, Repository } from '../oci/reference'
import { parseList } from '../util/list-input'
import { parseBoolean, type InputReader } from './fields'

/** Where the image goes and under which names. */
export interface PushInputs {
  /** The primary repository: the first `image` line (reports, manifests, reuse, comparisons). */
  image: Repository
  /** Every repository the image goes to, the primary first (same digest and tags in each). */
  images: Repository[]
  /** Tag templates (`{{sha}}`), rendered with the run's context. */
  tags: string[]
  push: boolean
  ociLayout?: string
  /** Load the image into the runner's engine (Docker, else Podman) under its tags. */
  load: boolean
  allowTagOverwrite: boolean
  username?: string
  password?: string
  insecureRegistries: string[]
  /** Also the ghcr.io password when no other credential is found. */
  githubToken?: string
  /** Fan-out: push without tags; the digest (and platform) go to the merge job. */
  pushByDigest: boolean
  /** Fan-in: digests in `image` to assemble into one index instead of building. */
  mergeDigests: string[]
  /** Keep the diffID → blob map in the Actions cache, when the job has one. */
  actionsCache: boolean
}

export function readPushInputs(reader: InputReader): PushInputs {
  const images = reader.field(
    'image',
    value => {
      const lines = parseList(value)
      if (lines.length === 0)
        throw new Error(
          'is required (the repository to push to, e.g. ghcr.io/acme/api)'
        )
      const repositories = lines.map(line => repositoryOf(line, reader))
      const seen = new Set<string>()
      for (const repository of repositories) {
        if (seen.has(String(repository)))
          throw new Error(`${repository} is listed twice`)
        seen.add(String(repository))
      }
      return repositories
    },
    [] as Repository[]
  )
  const image = images[0]
  const push = reader.field('push', parseBoolean, false)
  const mergeDigests = reader.field('merge-digests', parseList, [])
  const pushByDigest = reader.field('push-by-digest', parseBoolean, false)
  if (pushByDigest && mergeDigests.length > 0) {
    reader.fail(
      'push-by-digest',
      new Error(
        'cannot be combined with merge-digests: the fan-out job pushes by digest, the fan-in job merges'
      )
    )
  } else if (pushByDigest && !push) {
    reader.fail(
      'push-by-digest',
      new Error('needs push: true (it pushes the image without tags)')
    )
  }
  const load = reader.field('load', parseBoolean, false)
  if (load && pushByDigest) {
    reader.fail(
      'load',
      new Error(
        'cannot be combined with push-by-digest: an engine names an image by its tags, and push-by-digest writes none (load it in the merge job, or build with tags)'
      )
    )
  }
  const username = reader.optional('username', v => v)
  // Passwords are taken as given: a leading or trailing space can be part of one.
  const password = reader.exact('password') || undefined
  if ((username === undefined) !== (password === undefined)) {
    reader.fail(
      username === undefined ? 'username' : 'password',
      new Error('username and password must be given together')
    )
  }
  return {
    image,
    images,
    tags: reader.field('tags', parseList, []),
    push,
    ociLayout: reader.optional('oci-layout', v => v),
    load,
    allowTagOverwrite: reader.field('allow-tag-overwrite', parseBoolean, false),
    username,
    password,
    insecureRegistries: reader.field(
      'insecure-registries',
      value =>
        parseList(value, { commas: true }).map(
          host => Registry.parse(host).name
        ),
      []
    ),
    githubToken: reader.exact('github-token') || undefined,
    pushByDigest,
    mergeDigests,
    actionsCache: reader.field('actions-cache', parseBoolean, true)
  }
}

/**
 * One repository line. `ghcr.io/${{ github.repository }}` has the owner's capitals; registries
 * want lower case, so a name with capitals is lower-cased with a notice.
 */
function repositoryOf(line: string, reader: InputReader): Repository {
  const lower = line.toLowerCase()
  if (lower !== line) {
    const repository = Repository.parse(lower)
    reader.notices.push(
      `image: "${line}" is used as ${repository} (repository names are lower-case)`
    )
    return repository
  }
  return Repository.parse(line)
}
