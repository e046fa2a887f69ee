import { Registry, Repository } from '../oci/reference'
import { parseList } from '../util/list-input'
import { parseBoolean, type InputReader } from './fields'

/** Where the image goes and under which names. */
export interface PushInputs {
  image: Repository
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
  const image = reader.field(
    'image',
    value => {
      if (value === '')
        throw new Error(
          'is required (the repository to push to, e.g. ghcr.io/acme/api)'
        )
      // `ghcr.io/${{ github.repository }}` has the owner's capitals; registries want lower case.
      const lower = value.toLowerCase()
      if (lower !== value && /[A-Z]/.test(value)) {
        const repository = Repository.parse(lower)
        reader.notices.push(
          `image: "${value}" is used as ${repository} (repository names are lower-case)`
        )
        return repository
      }
      return Repository.parse(value)
    },
    undefined as unknown as Repository
  )
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
