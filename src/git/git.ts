import { execFile } from 'node:child_process'
import { foreignText } from '../util/text'

/** A git command that failed, with what git said. */
export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly stderr: string,
    /** git's exit code (1 from `merge-base --is-ancestor` means "no"). */
    readonly code: number | undefined
  ) {
    super(
      `git ${args.join(' ')} failed: ${foreignText(stderr.trim().split('\n').slice(-3).join(' '), 500)}`
    )
    this.name = 'GitError'
  }
}

export interface GitOptions {
  /** `key=value` settings for this command only (credentials for a remote among them). */
  config?: string[]
}

/**
 * Runs git with the environment the front end was given. Settings go through the environment,
 * not argv, where any process on the machine could read them (credentials among them).
 */
export class Git {
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  run(cwd: string, args: string[], options: GitOptions = {}): Promise<string> {
    const env: NodeJS.ProcessEnv = { ...this.env, GIT_TERMINAL_PROMPT: '0' }
    const config = options.config ?? []
    if (config.length) {
      env.GIT_CONFIG_COUNT = String(config.length)
      config.forEach((entry, i) => {
        const eq = entry.indexOf('=')
        env[`GIT_CONFIG_KEY_${i}`] = entry.slice(0, eq)
        env[`GIT_CONFIG_VALUE_${i}`] = entry.slice(eq + 1)
      })
    }
    return new Promise((resolve, reject) => {
      execFile(
        'git',
        args,
        { cwd, env, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error) {
            const code = (error as { code?: unknown }).code
            reject(
              new GitError(
                args,
                String(stderr || error.message),
                typeof code === 'number' ? code : undefined
              )
            )
          } else resolve(String(stdout).trim())
        }
      )
    })
  }

  /** The output, or `undefined` when git fails (outside a checkout, an unknown commit). */
  tryRun(cwd: string, args: string[]): Promise<string | undefined> {
    return this.run(cwd, args).then(
      out => out || undefined,
      () => undefined
    )
  }

  /** Whether `ancestor` is an ancestor of `descendant`; `unknown` when a commit is missing. */
  isAncestor(
    cwd: string,
    ancestor: string,
    descendant: string
  ): Promise<'yes' | 'no' | 'unknown'> {
    return this.run(cwd, [
      'merge-base',
      '--is-ancestor',
      ancestor,
      descendant
    ]).then(
      () => 'yes',
      error => ((error as GitError).code === 1 ? 'no' : 'unknown')
    )
  }

  async isShallow(cwd: string): Promise<boolean> {
    return (
      (await this.tryRun(cwd, ['rev-parse', '--is-shallow-repository'])) ===
      'true'
    )
  }

  /** The repository's top directory, or `cwd` itself outside a checkout. */
  async topLevel(cwd: string): Promise<string> {
    return (await this.tryRun(cwd, ['rev-parse', '--show-toplevel'])) ?? cwd
  }

  currentBranch(cwd: string): Promise<string | undefined> {
    return this.tryRun(cwd, ['symbolic-ref', '--short', 'HEAD'])
  }
}

/** What `git push` says when someone else pushed first: fetch, re-apply and try again. */
export function isRejectedPush(error: unknown): boolean {
  return (
    error instanceof GitError &&
    /non-fast-forward|fetch first|\[rejected\]|stale info|incorrect old value|failed to update ref|cannot lock ref/i.test(
      error.stderr
    )
  )
}

/** Credentials for an https remote the way actions/checkout passes them: a header, scoped to the server. */
export function tokenConfig(url: string, token: string | undefined): string[] {
  if (!token || !/^https?:/.test(url)) return []
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64')
  return [
    `http.${new URL(url).origin}/.extraheader=AUTHORIZATION: basic ${basic}`
  ]
}
