/** Where the pipeline reports progress; the action backs it with @actions/core, the CLI with stderr. */
export interface Logger {
  debug(message: string): void
  info(message: string): void
  warning(message: string): void
  group<T>(name: string, fn: () => Promise<T>): Promise<T>
  /** Something a user should see on the run's page (an annotation in the action). */
  notice?(message: string): void
  /** A value learnt during the run (a token, an encoded password) that must never be shown. */
  secret?(value: string): void
}

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warning: () => {},
  group: (_name, fn) => fn()
}

/** A logger for the command line: everything on stderr, so stdout carries only results. */
export function consoleLogger(verbose = false): Logger {
  const secrets = new Set<string>()
  const write = (line: string): void => {
    let text = line
    for (const secret of secrets) text = text.split(secret).join('***')
    process.stderr.write(`${text}\n`)
  }
  return {
    debug: message => {
      if (verbose) write(message)
    },
    info: message => write(message),
    warning: message => write(`warning: ${message}`),
    notice: message => write(`notice: ${message}`),
    group: async (name, fn) => {
      write(`== ${name}`)
      return fn()
    },
    secret: value => {
      if (value.length >= 4) secrets.add(value)
    }
  }
}
