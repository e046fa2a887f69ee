#!/usr/bin/env node
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { parseArgs } from 'node:util'
import { createPublicKey, KeyObject } from 'node:crypto'
import { InputError } from './errors'
import { failureMessages } from './front-end'
import { inputNames, parseInputs, type InputName } from './inputs'
import { isDigest } from './oci/digest'
import { parseReference, Registry } from './oci/reference'
import { runPipeline } from './pipeline/run'
import { metadataOf } from './report/summary'
import { defaultKeychain } from './registry/keychain'
import { RegistryClient } from './registry/client'
import { generateKeyPair } from './sign/keys'
import type { KeylessTrust, Trust } from './sign/verify'
import { consoleLogger } from './util/log'

const usage = `Usage:
  imprint build --image REPOSITORY --layers SOURCE:DESTINATION [options]
  imprint generate-key-pair [--output-key-prefix cosign]
  imprint verify --key cosign.pub [--type sbom|provenance] IMAGE@DIGEST
  imprint verify --certificate-identity URI [--certificate-oidc-issuer URL]
                 [--trusted-root trusted_root.json] [--type sbom|provenance] IMAGE@DIGEST

build: builds an OCI image without a Docker daemon. Options have the names of the action's
inputs; list options may be repeated or hold newline-separated items.

  --image REPOSITORY            target repository, e.g. ghcr.io/acme/api (repeat for several)
  --base REFERENCE | scratch    base image (default: cgr.dev/chainguard/static:latest)
  --layers SOURCE:DEST          one layer per occurrence, in order
  --exclude PATTERN             repeatable; .dockerignore patterns left out of directory layers
                                (relative to each SOURCE; a SOURCE/.imprintignore adds its own)
  --platforms LIST              e.g. linux/amd64,linux/arm64 or all
  --entrypoint, --cmd           JSON array or a space-separated string
  --env, --labels, --annotations KEY=VALUE (repeatable)
  --workdir, --user             image config settings
  --tags TEMPLATE               repeatable; placeholders {{sha}} {{short_sha}} {{branch}} {{pr}}
                                {{run_number}} {{date}} {{base_digest}} {{version}} {{major}} {{minor}} {{patch}}
  --push true|false             push to the registry (default here: false)
  --oci-layout DIR              write an OCI image layout (default here: out/oci when not pushing)
  --load true                   load the image into Docker (or Podman where Docker does not answer)
                                under its tags, so \`docker run REPOSITORY:TAG\` runs it
  --working-directory DIR       where SOURCE paths are resolved (default: .)
  --source-date-epoch SECONDS   the image's created time (default: HEAD's commit time)
  --file-mtime TIME|source-date file times in the layers (default: 2000-01-01T00:00:00Z)
  --allow-tag-overwrite true    let a tag move to a different digest
  --layer-owner root|user|UID:GID  owner of the files in the built layers (default: root)
  --sign auto|key|keyless|none  sign after pushing (auto: with a key, or keyless with $SIGSTORE_ID_TOKEN)
  --signing-key FILE            PEM or cosign-encrypted private key
  --sign-recursive true         also sign each platform manifest of an index
  --manifests GLOB              manifest files to pin to the new digest (see the README for the rest)
  --username, --insecure-registries
  --json                        print the metadata JSON instead of the digest
  --verbose                     debug logging

generate-key-pair: writes PREFIX.key (cosign-encrypted, ECDSA P-256) and PREFIX.pub.
verify: checks the legacy .sig and the cosign v3 bundle signatures of IMAGE@DIGEST with a key,
or keyless as cosign does: each certificate must chain to a Fulcio CA of the trusted root, carry
an SCT of its CT log, have its signature in its Rekor log, and name exactly the identity (e.g. the
workflow URI) and the OIDC issuer.
  --certificate-oidc-issuer URL  default: https://token.actions.githubusercontent.com
  --trusted-root FILE            a Sigstore trusted_root.json (a private instance, or a newer
                                 public-good root); default: the public-good root built in
With --type, prints the verified SBOM or provenance statement (from a bundle referrer or the .att
tag) instead.

Secrets come from the environment, never the command line: the registry password from
$IMPRINT_PASSWORD, the key password from $IMPRINT_KEY_PASSWORD (or $COSIGN_PASSWORD).
build prints the digest on stdout; progress, and what was pushed or written, goes to stderr.
Every input of the action is an option of build (--NAME VALUE); see the README's input table.`

/** `verify --type`: the predicate types each name stands for (or a predicate type itself). */
const attestationTypes: Record<string, string[]> = {
  sbom: ['https://cyclonedx.org/bom', 'https://spdx.dev/Document'],
  provenance: ['https://slsa.dev/provenance/']
}

const keyPassword = (): string =>
  process.env.IMPRINT_KEY_PASSWORD ?? process.env.COSIGN_PASSWORD ?? ''

function fail(error: unknown, verbose: boolean): number {
  for (const message of failureMessages(error, 'cli')) {
    process.stderr.write(`error: ${message}\n`)
  }
  if (verbose && error instanceof Error)
    process.stderr.write(`${error.stack}\n`)
  return 1
}

async function build(rest: string[]): Promise<number> {
  const optionNames = inputNames.filter(
    n => !['password', 'github-token', 'signing-key-password'].includes(n)
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
    // The action keeps the pull request comment; a command line in the same job must not race it.
    comment: 'false',
    'oci-layout': pushGiven === '' || pushGiven === 'false' ? 'out/oci' : ''
  }
  const verbose = values.verbose === true
  const log = consoleLogger(verbose)
  try {
    const keyFile = given('signing-key')
    let keyPem = keyFile
    if (keyFile && !keyFile.includes('-----BEGIN')) {
      try {
        keyPem = readFileSync(keyFile, 'utf8')
      } catch (error) {
        throw new InputError(
          'signing-key',
          `cannot read the key file "${keyFile}" (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`
        )
      }
    }
    const inputs = parseInputs(name => {
      if (name === 'password') return process.env.IMPRINT_PASSWORD ?? ''
      if (name === 'github-token') return process.env.GITHUB_TOKEN ?? ''
      if (name === 'signing-key-password') return keyPassword()
      if (name === 'signing-key') return keyPem
      return given(name) || (cliDefaults[name] ?? '')
    }, process.env)
    const result = await runPipeline(inputs, {
      log,
      env: process.env,
      execArgv: process.execArgv,
      workspace: process.cwd(),
      tempDir: tmpdir()
    })
    process.stdout.write(
      values.json
        ? `${JSON.stringify(metadataOf(result), null, 2)}\n`
        : `${result.digest}\n`
    )
    // What was made, for people (stdout carries only the digest, for scripts).
    if (result.pushed) {
      for (const image of result.images) log.info(`pushed ${image}`)
      for (const tag of result.tags) log.info(`tagged ${tag}`)
    }
    if (result.ociLayout) {
      const tag = result.tags[0]?.split(':').pop()
      log.info(
        `written to the OCI layout ${result.ociLayout}${tag ? ` as ${tag}` : ''}; look at it with: skopeo inspect oci:${result.ociLayout}${tag ? `:${tag}` : ''}  (or: umoci ls --layout ${result.ociLayout})`
      )
    }
    return 0
  } catch (error) {
    return fail(error, verbose)
  }
}

function generateKeyPairCommand(rest: string[]): number {
  const { values } = parseArgs({
    args: rest,
    options: { 'output-key-prefix': { type: 'string', default: 'cosign' } }
  })
  const prefix = values['output-key-prefix'] as string
  for (const file of [`${prefix}.key`, `${prefix}.pub`]) {
    if (existsSync(file)) {
      process.stderr.write(`error: ${file} exists; not overwriting it\n`)
      return 1
    }
  }
  const password = keyPassword()
  if (password === '') {
    process.stderr.write(
      'warning: $IMPRINT_KEY_PASSWORD is empty: the key is encrypted with an empty password\n'
    )
  }
  const pair = generateKeyPair(password)
  writeFileSync(`${prefix}.key`, pair.privateKeyPem, { mode: 0o600 })
  writeFileSync(`${prefix}.pub`, pair.publicKeyPem)
  process.stderr.write(
    `Private key written to ${prefix}.key\nPublic key written to ${prefix}.pub\n`
  )
  return 0
}

function keylessDescription(
  trust: KeylessTrust,
  trustedRoot: string | undefined
): string {
  return `the identity ${trust.identity} from the issuer ${trust.issuer} (trusted root: ${trustedRoot ?? 'Sigstore public-good, built in'})`
}

async function verifyCommand(rest: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      key: { type: 'string' },
      'certificate-identity': { type: 'string' },
      'certificate-oidc-issuer': { type: 'string' },
      'trusted-root': { type: 'string' },
      type: { type: 'string' },
      username: { type: 'string' },
      'insecure-registries': { type: 'string', multiple: true }
    },
    allowPositionals: true
  })
  if (
    (!values.key && !values['certificate-identity']) ||
    positionals.length !== 1
  ) {
    process.stderr.write(
      `imprint: verify needs --key or --certificate-identity, and one IMAGE@DIGEST\n\n${usage}\n`
    )
    return 2
  }
  if (
    values.key &&
    (values['certificate-identity'] || values['trusted-root'])
  ) {
    process.stderr.write(
      `imprint: verify takes --key or --certificate-identity (with --trusted-root), not both\n\n${usage}\n`
    )
    return 2
  }
  try {
    // Verification (sigstore-js) is loaded by this command only, not by every start of the CLI.
    const [
      { githubActionsIssuer, keyHint, verifyImageSignatures },
      { publicGoodTrustedRoot, readTrustedRoot, trustMaterialFrom }
    ] = await Promise.all([
      import('./sign/verify'),
      import('./sign/trusted-root')
    ])
    // A key, or (keyless) the identity and issuer the certificates must name, and the trusted
    // root (Fulcio, CT log, Rekor) that must vouch for them.
    const trust: Trust = values.key
      ? createPublicKey(readFileSync(values.key, 'utf8'))
      : {
          identity: values['certificate-identity'] as string,
          issuer: values['certificate-oidc-issuer'] ?? githubActionsIssuer,
          trustedRoot: values['trusted-root']
            ? readTrustedRoot(values['trusted-root'])
            : trustMaterialFrom(publicGoodTrustedRoot)
        }
    const reference = parseReference(positionals[0])
    const repo = reference.repository
    const password = process.env.IMPRINT_PASSWORD
    const client = new RegistryClient(repo.registry, {
      keychain: defaultKeychain({
        explicit:
          values.username && password
            ? { registry: repo.registry, username: values.username, password }
            : undefined,
        repositories: [repo],
        env: process.env
      }),
      insecureRegistries: (values['insecure-registries'] ?? []).map(
        h => Registry.parse(h).name
      ),
      log: consoleLogger(false)
    })
    let digest = reference.digest
    if (!digest) {
      const resolved = await client.resolveTag(repo, reference.identifier)
      if (!resolved || !isDigest(resolved))
        throw new Error(`${reference} does not exist in the registry`)
      process.stderr.write(
        `warning: verifying ${reference} by tag; it resolves to ${resolved} now\n`
      )
      digest = resolved
    } else if (!(await client.findManifest(repo, digest))) {
      throw new Error(`${repo}@${digest} does not exist in the registry`)
    }
    const report = await verifyImageSignatures(client, repo, digest, trust)
    const counted = (
      what: string,
      { verified, total, predicateTypes }: typeof report.bundles
    ): string =>
      `  ${what}: ${verified} of ${total} verified` +
      (predicateTypes.length ? ` (${predicateTypes.join(', ')})` : '') +
      '\n'
    // With --type, stdout carries the statement alone (for jq or a policy engine); the counts go to stderr.
    const out = values.type ? process.stderr : process.stdout
    out.write(
      `${repo}@${digest}\n` +
        `  legacy .sig (cosign v2, containers/image): ${report.legacy.verified} of ${report.legacy.total} verified\n` +
        counted('bundle referrers (cosign v3)', report.bundles) +
        (report.attestations.total
          ? counted('legacy .att (cosign v2)', report.attestations)
          : '')
    )
    if (values.type) {
      // The verified statement of that kind, for a reader or a policy: on stdout, whole.
      const wanted = attestationTypes[values.type] ?? [values.type]
      const statement = report.statements.find(s =>
        wanted.some(t => s.predicateType.startsWith(t))
      )
      if (!statement) {
        process.stderr.write(
          `error: no ${values.type} attestation of ${repo}@${digest} verifies with ${trust instanceof KeyObject ? `the key ${values.key}` : keylessDescription(trust, values['trusted-root'])}${report.statements.length ? ` (verified: ${[...new Set(report.statements.map(s => s.predicateType))].join(', ')})` : ''}\n`
        )
        return 1
      }
      process.stdout.write(`${JSON.stringify(statement.statement, null, 2)}\n`)
      return 0
    }
    const found = report.legacy.total + report.bundles.total
    const against =
      trust instanceof KeyObject
        ? `the key ${values.key} (hint ${keyHint(trust)})`
        : keylessDescription(trust, values['trusted-root'])
    if (found === 0) {
      process.stderr.write(
        `error: no signature found for ${repo}@${digest}: neither a .sig tag nor bundle referrers\n`
      )
      return 1
    }
    if (report.legacy.verified === 0 || report.bundles.verified === 0) {
      process.stderr.write(
        `error: ${report.legacy.verified === 0 && report.bundles.verified === 0 ? 'no' : 'not every kind of'} signature verifies with ${against}; signed by: ${report.signers.join('; ') || 'unknown'}\n`
      )
      return 1
    }
    return 0
  } catch (error) {
    return fail(error, false)
  }
}

/** The command line: the same pipeline as the action, plus key management and verification. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case 'build':
      return build(rest)
    case 'generate-key-pair':
      return generateKeyPairCommand(rest)
    case 'verify':
      return verifyCommand(rest)
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${usage}\n`)
      return 0
    case undefined:
      process.stdout.write(`${usage}\n`)
      return 2
    default:
      process.stderr.write(
        `imprint: unknown command "${command}"\n\n${usage}\n`
      )
      return 2
  }
}

process.exitCode = await main(process.argv.slice(2))
