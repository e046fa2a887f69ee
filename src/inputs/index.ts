import { InputErrors } from '../errors'
import { readBuildInputs, type BuildInputs } from './build'
import { readDeployInputs, type DeployInputs } from './deploy'
import { InputReader } from './fields'
import { inputNames, type InputName } from './names'
import { readPushInputs, type PushInputs } from './push'
import { readReportInputs, type ReportInputs } from './report'
import { readSignInputs, type SignInputs } from './sign'

export type { BuildInputs } from './build'
export type { DeployInputs } from './deploy'
export type { PushInputs } from './push'
export type { ReportInputs } from './report'
export type { SignInputs, SignMode } from './sign'
export { keylessTrustMaterial } from './sign'
export { parseCommand } from './build'
export { inputDefaults, inputNames, type InputName } from './names'

/** Every input, typed and validated: each stage takes its own slice (attest's `RunInputs` shape). */
export type Inputs = BuildInputs &
  PushInputs &
  SignInputs &
  DeployInputs &
  ReportInputs & {
    /** What was read otherwise than written (a name lower-cased), for the log. */
    notices: string[]
  }

/**
 * Validates raw input strings (missing ones are empty) into `Inputs`, collecting every problem
 * into one `InputErrors`, so that nothing is touched before all inputs are known to be usable.
 */
export function parseInputs(
  get: (name: InputName) => string,
  env: NodeJS.ProcessEnv
): Inputs {
  const reader = new InputReader(get)
  const push = readPushInputs(reader)
  const inputs: Inputs = {
    ...push,
    ...readBuildInputs(reader, push.mergeDigests.length > 0),
    ...readSignInputs(reader, env),
    ...readDeployInputs(reader, push.image),
    ...readReportInputs(reader),
    notices: reader.notices
  }
  if (reader.errors.length) {
    // In the order action.yml lists the inputs, whichever stage found the problem.
    const position = (name: string) => inputNames.indexOf(name as InputName)
    throw new InputErrors(
      [...reader.errors].sort((a, b) => position(a.input) - position(b.input))
    )
  }
  return inputs
}
