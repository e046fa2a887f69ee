import { digestHex, type Digest } from '../oci/digest'
import type { Repository } from '../oci/reference'

export const slsaProvenancePredicate = 'https://slsa.dev/provenance/v1'
const githubBuildType = 'https://actions.github.io/buildtypes/workflow/v1'

/** What went into the image, for the provenance's resolved dependencies. */
export interface ProvenanceInputs {
  repository: Repository
  digest: Digest
  revision?: string
  base?: { name: string; digest?: Digest }
  layers: { source: string; destination: string; diffId: Digest }[]
}

interface ResourceDescriptor {
  uri?: string
  name?: string
  digest: Record<string, string>
  annotations?: Record<string, string>
}

/**
 * A SLSA v1 provenance statement for the image digest, shaped like actions/attest's (GitHub
 * workflow build type), with the base image and every layer source as resolved dependencies.
 */
export function provenanceStatement(
  inputs: ProvenanceInputs,
  env: NodeJS.ProcessEnv
): Buffer {
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com'
  const repo = env.GITHUB_REPOSITORY
  const ref = env.GITHUB_REF ?? ''
  const workflowRef = env.GITHUB_WORKFLOW_REF ?? ''
  const workflowPath = workflowRef
    .replace(/^[^/]+\/[^/]+\//, '')
    .replace(/@.*$/, '')

  const dependencies: ResourceDescriptor[] = []
  if (repo && inputs.revision) {
    dependencies.push({
      uri: `git+${server}/${repo}@${ref}`,
      digest: { gitCommit: inputs.revision }
    })
  } else if (inputs.revision) {
    dependencies.push({
      name: 'source',
      digest: { gitCommit: inputs.revision }
    })
  }
  if (inputs.base?.digest) {
    dependencies.push({
      uri: `oci://${inputs.base.name}`,
      digest: { sha256: digestHex(inputs.base.digest) },
      annotations: { role: 'base image' }
    })
  }
  for (const layer of inputs.layers) {
    dependencies.push({
      name: layer.source,
      digest: { sha256: digestHex(layer.diffId) },
      annotations: {
        role: 'layer',
        destination: layer.destination,
        digestOf: 'uncompressed tar (diffID)'
      }
    })
  }

  const predicate = {
    buildDefinition: {
      buildType: githubBuildType,
      externalParameters: {
        workflow: repo
          ? { ref, repository: `${server}/${repo}`, path: workflowPath }
          : { ref: 'local', repository: '', path: '' }
      },
      internalParameters: {
        github: {
          event_name: env.GITHUB_EVENT_NAME ?? '',
          repository_id: env.GITHUB_REPOSITORY_ID ?? '',
          repository_owner_id: env.GITHUB_REPOSITORY_OWNER_ID ?? '',
          runner_environment: env.RUNNER_ENVIRONMENT ?? ''
        }
      },
      resolvedDependencies: dependencies
    },
    runDetails: {
      builder: {
        id: workflowRef ? `${server}/${workflowRef}` : 'urn:imprint:local'
      },
      metadata: {
        invocationId:
          repo && env.GITHUB_RUN_ID
            ? `${server}/${repo}/actions/runs/${env.GITHUB_RUN_ID}/attempts/${env.GITHUB_RUN_ATTEMPT ?? '1'}`
            : 'urn:imprint:local'
      }
    }
  }
  return Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [
        {
          name: inputs.repository.toString().toLowerCase(),
          digest: { sha256: digestHex(inputs.digest) }
        }
      ],
      predicateType: slsaProvenancePredicate,
      predicate
    })
  )
}
