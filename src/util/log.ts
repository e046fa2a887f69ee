/** Where the pipeline reports progress; the action backs it with @actions/core, the CLI with stderr. */
export interface Logger {
  debug(message: string): void
  info(message: string): void
  warning(message: string): void
  group<T>(name: string, fn: () => Promise<T>): Promise<T>
}

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warning: () => {},
  group: (_name, fn) => fn()
}

/** A logger for the command line: everything on stderr, so stdout carries only results. */
export function consoleLogger(verbose = false): Logger {
  return {
    debug: message => {
      if (verbose) process.stderr.write(`${message}\n`)
    },
    info: message => process.stderr.write(`${message}\n`),
    warning: message => process.stderr.write(`warning: ${message}\n`),
    group: async (name, fn) => {
      process.stderr.write(`== ${name}\n`)
      return fn()
    }
  }
}
