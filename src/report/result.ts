import type { DeployResult } from '../deploy/result'
import type { Digest } from '../oci/digest'
import type { SignatureRecord } from '../sign/signer'
import type { PushReport } from '../sinks/registry'
import type { Comparison } from './comparison'

export interface LayerResult {
  digest: Digest
  size: number
  mediaType: string
  /** Set for layers we built; base layers have none. */
  diffId?: Digest
  source?: string
  destination?: string
  /** The previous image whose blob was reused for an unchanged layer (not compressed again). */
  reusedFrom?: string
}

export interface PlatformResult {
  platform: string
  digest: Digest
  configDigest: Digest
  layers: LayerResult[]
}

/** What a run produced: the source of outputs, `metadata` and the job summary. */
export interface PipelineResult {
  digest: Digest
  repository: string
  /** `REPOSITORY@DIGEST`. */
  image: string
  /** Full `REPOSITORY:TAG` references. */
  tags: string[]
  configDigest?: Digest
  mediaType: string
  platforms: PlatformResult[]
  base?: { name: string; digest?: Digest }
  revision?: string
  sourceDateEpoch: number
  pushed: boolean
  push?: PushReport
  ociLayout?: string
  /** One record per signed digest: the top-level one first. */
  signatures: SignatureRecord[]
  deploy?: DeployResult
  /** Against the image of the pull request's base commit (pull_request events). */
  comparison?: Comparison
  /** Why nothing was pushed although push was true (a fork's read-only credentials). */
  pushSkipped?: string
  /** Set on pull_request events. */
  pullRequest?: { number: number; baseBranch?: string }
}
