import { parseArgs } from 'node:util'
import { failureMessages } from './front-end'
import { inputNames, parseInputs, type InputName } from './inputs'
import { metadataOf } from './pipeline/report'
import { runPipeline } from './pipeline/run'
import { consoleLogger } from './util/log'

const usage = `Usage: imprint build --image REPOSITORY --layers SOURCE:DESTINATION [options]

Builds an OCI image without a Docker daemon. Options have the names of the action's inputs;
list options may be repeated or hold newline-separated items.

  --image REPOSITORY            target repository, e.g. ghcr.io/acme/api
  --base REFERENCE | scratch    base image (default: cgr.dev/chainguard/static:latest)
  --layers SOURCE:DEST          one layer per occurrence, in order
  --platforms LIST              e.g. linux/amd64,linux/arm64 or all
  --entrypoint, --cmd           JSON array or a space-separated string
  --env, --labels, --annotations KEY=VALUE (repeatable)
  --workdir, --user             image config settings
  --tags TEMPLATE               repeatable; placeholders {{sha}} {{short_sha}} {{branch}} {{pr}} {{run_number}} {{date}}
  --push true|false             push to the registry (default here: false)
  --oci-layout DIR              write an OCI image layout (default here: out/oci when not pushing)
  --working-directory DIR       where SOURCE paths are resolved (default: .)
  --source-date-epoch SECONDS   timestamp for everything in the image (default: HEAD's commit time)
  --allow-tag-overwrite true    let a tag move to a different digest
  --layer-owner root|user|UID:GID  owner of the files in the built layers (default: root)
  --username, --insecure-registries
  --json                        print the metadata JSON instead of the digest
  --verbose                     debug logging

The password is read from $IMPRINT_PASSWORD, never from the command line.
Prints the digest on stdout; progress goes to stderr.`

/** The command line: the same pipeline as the action, with inputs from options. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (
    command === undefined ||
    command === '--help' ||
    command === '-h' ||
    command === 'help'
  ) {
    process.stdout.write(`${usage}\n`)
    return command === undefined ? 2 : 0
  }
  if (command !== 'build') {
    process.stderr.write(`imprint: unknown command "${command}"\n\n${usage}\n`)
    return 2
  }
  const optionNames = inputNames.filter(
    n => n !== 'password' && n !== 'github-token'
  )
  let values: Record<string, string[] | boolean | undefined>
  try {
    values = parseArgs({
      args: rest,
      options: {
        ...Object.fromEntries(
          optionNames.map(name => [name, { type: 'string', multiple: true }])
        ),
        json: { type: 'boolean' },
        verbose: { type: 'boolean' }
      },
      allowPositionals: false
    }).values as Record<string, string[] | boolean | undefined>
  } catch (error) {
    process.stderr.write(`imprint: ${(error as Error).message}\n\n${usage}\n`)
    return 2
  }
  const given = (name: InputName): string => {
    const v = values[name]
    return Array.isArray(v) ? v.join('\n') : ''
  }
  const pushGiven = given('push')
  const cliDefaults: Partial<Record<InputName, string>> = {
    push: 'false',
    'oci-layout': pushGiven === '' || pushGiven === 'false' ? 'out/oci' : ''
  }
  const log = consoleLogger(values.verbose === true)
  try {
    const inputs = parseInputs(name => {
      if (name === 'password') return process.env.IMPRINT_PASSWORD ?? ''
      if (name === 'github-token') return process.env.GITHUB_TOKEN ?? ''
      return given(name) || (cliDefaults[name] ?? '')
    })
    const result = await runPipeline(inputs, { log, env: process.env })
    process.stdout.write(
      values.json
        ? `${JSON.stringify(metadataOf(result), null, 2)}\n`
        : `${result.digest}\n`
    )
    return 0
  } catch (error) {
    for (const message of failureMessages(error))
      process.stderr.write(`error: ${message}\n`)
    if (values.verbose && error instanceof Error)
      process.stderr.write(`${error.stack}\n`)
    return 1
  }
}

process.exitCode = await main(process.argv.slice(2))
