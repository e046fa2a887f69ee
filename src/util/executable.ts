import { constants } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import { delimiter, isAbsolute, join } from 'node:path'

/**
 * The executable `name` in `env.PATH`'s absolute directories, as a shell (or Go's exec.LookPath,
 * which Docker uses to run credential helpers) finds it; undefined when there is none. An empty or
 * relative entry (`bin`, `.`) means a place in the working directory, the repository being built,
 * which must not choose a program we run (and may hand credentials or images to).
 */
export async function findExecutable(
  name: string,
  env: NodeJS.ProcessEnv
): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue
    const candidate = join(dir, name)
    const info = await stat(candidate).catch(() => undefined)
    if (!info?.isFile()) continue
    const executable = await access(candidate, constants.X_OK).then(
      () => true,
      () => false
    )
    if (executable) return candidate
  }
  return undefined
}
