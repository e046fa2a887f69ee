import { parseBoolean, type InputReader } from './fields'

/** How the run is reported beyond the job summary. */
export interface ReportInputs {
  /** On pull_request events, keep one PR comment with the digest report up to date. */
  comment: boolean
  githubToken?: string
}

export function readReportInputs(reader: InputReader): ReportInputs {
  return {
    comment: reader.field('comment', parseBoolean, true),
    githubToken: reader.exact('github-token') || undefined
  }
}
