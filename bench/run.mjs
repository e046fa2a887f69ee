#!/usr/bin/env node
// Build + push benchmark on default inputs: Imprint vs `buildah bud --layers` + `buildah push`, the
// floor `tar | gzip -6 | sha256sum`, the registry bytes each tool stores per merge, and Imprint's
// peak RSS. Every build runs in a fresh clone of a real git repository (cold = its first commit,
// next merge = a second commit changing one file of the last layer) as a fresh runner would: new
// HOME, RUNNER_TEMP and TMPDIR, no GitHub or registry settings from this shell, a new buildah
// storage root; the previous image is in the registry, tagged with the parent commit's SHA.
//
// Usage: npm run bench [-- --runs N] [--scenario NAME[,NAME…]] [--keep]
//                      [--realtree-install DIR] [--cpu-prof DIR]
//   --runs N              runs per scenario (default 5); medians are reported
//   --scenario NAME       cold, next-merge (alias warm), link, realtree-cold, realtree-next-merge,
//                         small-files, rss, sbom; groups fixture, realtree, all (default); repeatable
//   --keep                keep the work directory (logs of every build, checkouts) and print it
//   --imprint-only        skip buildah (no ratios against it; for profiling and quick checks)
//   --realtree-install D  install bench/realtree into D and reuse it in later invocations while its
//                         lock matches (default: a temporary directory, installed once per run)
//   --cpu-prof DIR        run Imprint with `node --cpu-prof` and write its profiles to DIR
//                         (summarise one with `node bench/cpuprofile-top.mjs FILE`)
//
// Needs docker-registry, skopeo, umoci, busybox-static, buildah, git, GNU tar, gzip, GNU time and
// npm with the npm registry (for the real tree): `script/setup bench` installs them on Debian.
import { spawn, spawnSync } from 'node:child_process'
import { createHash, generateKeyPairSync } from 'node:crypto'
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync
} from 'node:fs'
import { createServer } from 'node:net'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'

const repoRoot = resolve(import.meta.dirname, '..')
const cli = join(repoRoot, 'dist/cli/index.js')

/** A failure the bench explains itself: printed without a stack, exit code 1. */
class BenchError extends Error {}

// ---- options -------------------------------------------------------------------------------------
const scenarioNames = [
  'cold',
  'next-merge',
  'link',
  'realtree-cold',
  'realtree-next-merge',
  'small-files',
  'rss',
  'sbom'
]
const groups = {
  all: scenarioNames,
  fixture: ['cold', 'next-merge'],
  warm: ['next-merge'],
  realtree: ['realtree-cold', 'realtree-next-merge']
}
const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    scenario: { type: 'string', multiple: true },
    keep: { type: 'boolean', default: false },
    'imprint-only': { type: 'boolean', default: false },
    'realtree-install': { type: 'string' },
    'cpu-prof': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false }
  }
})
if (options.help) {
  const header = readFileSync(new URL(import.meta.url), 'utf8')
    .split('\n')
    .slice(1)
    .filter(line => line.startsWith('//'))
  console.log(header.map(line => line.replace(/^\/\/ ?/, '')).join('\n'))
  process.exit(0)
}
const runs = Number(options.runs)
if (!Number.isInteger(runs) || runs < 1) {
  console.error(
    `bench: --runs must be a positive integer, not "${options.runs}"`
  )
  process.exit(2)
}
const selected = new Set()
for (const name of (options.scenario ?? ['all']).flatMap(s => s.split(','))) {
  const names = groups[name] ?? (scenarioNames.includes(name) ? [name] : [])
  if (names.length === 0) {
    console.error(
      `bench: unknown scenario "${name}" (known: ${[...scenarioNames, ...Object.keys(groups)].join(', ')})`
    )
    process.exit(2)
  }
  for (const n of names) selected.add(n)
}
const wants = name => selected.has(name)
const tools = options['imprint-only'] ? ['imprint'] : ['imprint', 'buildah']
const cpuProfDir = options['cpu-prof'] && resolve(options['cpu-prof'])

// ---- prerequisites -------------------------------------------------------------------------------
const debianPackage = {
  busybox: 'busybox-static',
  sha256sum: 'coreutils',
  '/usr/bin/time': 'time'
}
function need(tool) {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`], {
    encoding: 'utf8'
  }).stdout.trim()
  if (!found) {
    throw new BenchError(
      `${tool} is not installed: run \`script/setup bench\` (Debian package ${debianPackage[tool] ?? tool})`
    )
  }
  return found
}
function checkPrerequisites() {
  for (const tool of [
    'docker-registry',
    'skopeo',
    'umoci',
    ...(tools.includes('buildah') ? ['buildah'] : []),
    'busybox',
    'git',
    'tar',
    'gzip',
    'sha256sum',
    'find',
    'touch',
    '/usr/bin/time',
    ...(wants('realtree-cold') || wants('realtree-next-merge') ? ['npm'] : [])
  ])
    need(tool)
  if (!existsSync(cli)) {
    throw new BenchError(
      `${cli} is missing: run \`npm run package\` (the bench measures the committed CLI bundle)`
    )
  }
}

// ---- processes -----------------------------------------------------------------------------------
const quote = arg => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg}'`)

/** Runs a command to completion; a failure names the step, the command, and the end of stderr. */
function run(label, command, args, options = {}) {
  const r = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    ...options
  })
  if (r.error) {
    throw new BenchError(
      `${label}: could not start ${command}: ${r.error.message}`
    )
  }
  if (r.status !== 0) {
    const stderr = (r.stderr ?? '').trim().split('\n').slice(-30)
    throw new BenchError(
      `${label} failed (${r.signal ? `killed by ${r.signal}` : `exit code ${r.status}`})\n` +
        `  command: ${[command, ...args].map(quote).join(' ')}\n` +
        (options.cwd ? `  in: ${options.cwd}\n` : '') +
        `  stderr (last ${stderr.length} lines):\n    ${stderr.join('\n    ')}`
    )
  }
  return r
}
function seconds(start) {
  return Number(process.hrtime.bigint() - start) / 1e9
}

/**
 * The environment of a fresh runner: this shell's, less anything GitHub, npm or a registry client
 * would read, with a new HOME, RUNNER_TEMP and TMPDIR under `dir`.
 */
function freshEnv(dir) {
  const env = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (
      !/^(GITHUB_|ACTIONS_|RUNNER_|INPUT_|IMPRINT_|COSIGN_|npm_|BUILDAH_|CONTAINERS_|STORAGE_)/.test(
        key
      ) &&
      !['SOURCE_DATE_EPOCH', 'DOCKER_CONFIG', 'REGISTRY_AUTH_FILE'].includes(
        key
      )
    )
      env[key] = value
  }
  for (const sub of ['home', 'runner-temp', 'tmp'])
    mkdirSync(join(dir, sub), { recursive: true })
  return {
    ...env,
    HOME: join(dir, 'home'),
    RUNNER_TEMP: join(dir, 'runner-temp'),
    TMPDIR: join(dir, 'tmp')
  }
}

function git(cwd, args, epoch) {
  const date = epoch === undefined ? {} : { GIT_AUTHOR_DATE: `@${epoch} +0000` }
  return run(
    `git ${args[0]}`,
    'git',
    [
      '-c',
      'user.name=bench',
      '-c',
      'user.email=bench@example.invalid',
      ...args
    ],
    {
      cwd,
      env: {
        ...process.env,
        ...date,
        ...(epoch === undefined
          ? {}
          : { GIT_COMMITTER_DATE: `@${epoch} +0000` })
      }
    }
  ).stdout.trim()
}

// ---- content -------------------------------------------------------------------------------------
function seeded(seed) {
  let x = seed
  return () => (x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff
}
const words = [
  'const',
  'function',
  'return',
  'import',
  'export',
  'value',
  'module',
  'require',
  'async',
  'await',
  'this',
  'data',
  'result',
  'error',
  'options',
  'callback',
  'promise',
  'string',
  'number',
  'length',
  'index'
]
function sourceText(random, target) {
  const lines = []
  let size = 0
  while (size < target) {
    const line =
      Array.from(
        { length: 8 },
        () => words[Math.floor(random() * words.length)]
      ).join(' ') + ` ${Math.floor(random() * 1e6)};`
    lines.push(line)
    size += line.length + 1
  }
  return lines.join('\n')
}

/** The synthetic fixture: ≈1500 small source files ≈ 24 MB, a 6 MB binary asset, a small app. */
function generateFixture(dir) {
  const random = seeded(42)
  for (let i = 0; i < 1500; i++) {
    const pkg = join(dir, 'deps', `pkg-${Math.floor(i / 15)}`, 'lib')
    mkdirSync(pkg, { recursive: true })
    writeFileSync(
      join(pkg, `file-${i}.js`),
      sourceText(random, 12000 + Math.floor(random() * 7000))
    )
  }
  mkdirSync(join(dir, 'asset'), { recursive: true })
  const blob = Buffer.alloc(6 * 1024 * 1024)
  for (let i = 0; i < blob.length; i += 32)
    createHash('sha256').update(`${i}`).digest().copy(blob, i)
  writeFileSync(join(dir, 'asset', 'model.bin'), blob)
  mkdirSync(join(dir, 'app'), { recursive: true })
  writeFileSync(join(dir, 'app', 'run.sh'), '#!/bin/sh\necho bench app\n')
  chmodSync(join(dir, 'app', 'run.sh'), 0o755)
  writeFileSync(
    join(dir, 'app', 'server.js'),
    'console.log("server")\n'.repeat(200)
  )
}

/** The app code next to the real dependency tree: a small express service. */
function generateRealtreeApp(dir) {
  copyFileSync(
    join(repoRoot, 'bench/realtree/package.json'),
    join(dir, 'package.json')
  )
  copyFileSync(
    join(repoRoot, 'bench/realtree/package-lock.json'),
    join(dir, 'package-lock.json')
  )
  const random = seeded(11)
  mkdirSync(join(dir, 'app', 'routes'), { recursive: true })
  for (let i = 0; i < 20; i++) {
    writeFileSync(
      join(dir, 'app', 'routes', `route-${i}.js`),
      `// route ${i}\n${sourceText(random, 3000)}\n`
    )
  }
  writeFileSync(
    join(dir, 'app', 'server.js'),
    "const express = require('express')\nconst app = express()\napp.get('/', (_, res) => res.send('bench'))\napp.listen(8080)\n"
  )
}

/** 100,000 small files (100 B – 1.5 kB, ≈ 80 MB) in 1,000 directories. */
function generateSmallFiles(dir) {
  const random = seeded(99)
  for (let d = 0; d < 1000; d++) {
    const sub = join(dir, `group-${Math.floor(d / 10)}`, `dir-${d}`)
    mkdirSync(sub, { recursive: true })
    for (let f = 0; f < 100; f++) {
      writeFileSync(
        join(sub, `file-${f}.js`),
        sourceText(random, 100 + Math.floor(random() * 1400))
      )
    }
  }
}

/** One 1 GiB file of compressible text-like content (about memory, not a slow gzip of noise). */
function generateBig(dir) {
  mkdirSync(dir, { recursive: true })
  const line = Buffer.from(
    '0123456789abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ '
  )
  const block = Buffer.alloc(1024 * 1024)
  const random = seeded(7)
  const fd = openSync(join(dir, 'big.bin'), 'w')
  for (let i = 0; i < 1024; i++) {
    for (let o = 0; o < block.length; o += line.length)
      line.copy(block, o, Math.floor(random() * 10))
    writeSync(fd, block)
  }
  closeSync(fd)
}

// ---- registries and base -------------------------------------------------------------------------
async function freePort() {
  return new Promise(res => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => res(port))
    })
  })
}
const children = []
function stopChildren() {
  for (const child of children) child.kill()
}

/** One docker-registry per tool, with filesystem storage, so that each tool's bytes are its own. */
async function startRegistry(work, name) {
  const port = await freePort()
  const dir = join(work, `registry-${name}`)
  mkdirSync(dir)
  writeFileSync(
    join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\n  delete:\n    enabled: false\nhttp:\n  addr: 127.0.0.1:${port}\n`
  )
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', openSync(join(dir, 'log'), 'w')]
  })
  children.push(child)
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/v2/`)
      return {
        name,
        host: `127.0.0.1:${port}`,
        blobs: join(dir, 'data/docker/registry/v2/blobs')
      }
    } catch {
      await new Promise(r => setTimeout(r, 50))
    }
  }
  throw new BenchError(
    `docker-registry (${name}) did not start; see ${join(dir, 'log')}`
  )
}

const linkRate = 25_000_000

/** A registry behind bench/throttle.mjs: uploads limited to `linkRate` bytes per second. */
async function startLink(registry) {
  const port = await freePort()
  const proxy = spawn(
    process.execPath,
    [
      join(repoRoot, 'bench/throttle.mjs'),
      String(port),
      registry.host.split(':')[1],
      String(linkRate)
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] }
  )
  children.push(proxy)
  await new Promise(ready => proxy.stdout.once('data', ready))
  return { ...registry, host: `127.0.0.1:${port}` }
}

/** A busybox base image, built with umoci once and pushed into every registry. */
function makeBase(work) {
  const dir = join(work, 'base')
  run('umoci init', 'umoci', ['init', '--layout', `${dir}/layout`])
  run('umoci new', 'umoci', ['new', '--image', `${dir}/layout:latest`])
  run('umoci unpack', 'umoci', [
    'unpack',
    '--image',
    `${dir}/layout:latest`,
    `${dir}/bundle`
  ])
  mkdirSync(`${dir}/bundle/rootfs/bin`, { recursive: true })
  copyFileSync(need('busybox'), `${dir}/bundle/rootfs/bin/busybox`)
  symlinkSync('busybox', `${dir}/bundle/rootfs/bin/sh`)
  run('umoci repack', 'umoci', [
    'repack',
    '--image',
    `${dir}/layout:latest`,
    `${dir}/bundle`
  ])
  return `${dir}/layout:latest`
}
function pushBase(layout, registry) {
  run('skopeo copy (base)', 'skopeo', [
    'copy',
    '--quiet',
    '--dest-tls-verify=false',
    `oci:${layout}`,
    `docker://${registry.host}/base/busybox:latest`
  ])
  return `${registry.host}/base/busybox:latest`
}

/**
 * A base like a slim Debian for the SBOM scenario: busybox, this machine's dpkg database and
 * os-release, and executables from /usr/bin up to 70 MB (debian:12-slim holds 74 MB), which the
 * Go and Rust catalogers read as ELF files: the SBOM stage streams and reads all of it.
 */
function pushDebianLikeBase(work, registry) {
  const dir = join(work, 'debian-like')
  const layout = `${dir}/layout:latest`
  run('umoci init', 'umoci', ['init', '--layout', `${dir}/layout`])
  run('umoci new', 'umoci', ['new', '--image', layout])
  run('umoci unpack', 'umoci', ['unpack', '--image', layout, `${dir}/bundle`])
  const root = `${dir}/bundle/rootfs`
  for (const d of ['bin', 'etc', 'var/lib/dpkg', 'usr/bin'])
    mkdirSync(join(root, d), { recursive: true })
  copyFileSync(need('busybox'), join(root, 'bin/busybox'))
  symlinkSync('busybox', join(root, 'bin/sh'))
  copyFileSync('/var/lib/dpkg/status', join(root, 'var/lib/dpkg/status'))
  copyFileSync('/etc/os-release', join(root, 'etc/os-release'))
  let bytes = 0
  for (const name of readdirSync('/usr/bin').sort()) {
    const stat = statSync(join('/usr/bin', name), { throwIfNoEntry: false })
    if (!stat?.isFile() || bytes + stat.size > 70e6) continue
    copyFileSync(join('/usr/bin', name), join(root, 'usr/bin', name))
    chmodSync(join(root, 'usr/bin', name), 0o755)
    bytes += stat.size
  }
  run('umoci repack', 'umoci', ['repack', '--image', layout, `${dir}/bundle`])
  run('skopeo copy (debian-like base)', 'skopeo', [
    'copy',
    '--quiet',
    '--dest-tls-verify=false',
    `oci:${layout}`,
    `docker://${registry.host}/base/debian-like:latest`
  ])
  return {
    reference: `${registry.host}/base/debian-like:latest`,
    description: `busybox, this machine's dpkg status, ${mb(bytes)} of /usr/bin`
  }
}

// ---- registry storage ----------------------------------------------------------------------------
/** Every blob in the registry's storage: digest → bytes. */
function listBlobs(registry) {
  const blobs = new Map()
  const root = join(registry.blobs, 'sha256')
  if (!existsSync(root)) return blobs
  for (const prefix of readdirSync(root)) {
    for (const hex of readdirSync(join(root, prefix))) {
      const data = join(root, prefix, hex, 'data')
      if (existsSync(data)) blobs.set(`sha256:${hex}`, statSync(data).size)
    }
  }
  return blobs
}
function duBlobs(registry) {
  if (!existsSync(registry.blobs)) return 0
  return Number(run('du', 'du', ['-sb', registry.blobs]).stdout.split('\t')[0])
}
function storage(registry) {
  return { blobs: listBlobs(registry), du: duBlobs(registry) }
}

async function fetchManifest(registry, repo, digest) {
  const response = await fetch(
    `http://${registry.host}/v2/${repo}/manifests/${digest}`,
    {
      headers: {
        accept: [
          'application/vnd.oci.image.manifest.v1+json',
          'application/vnd.docker.distribution.manifest.v2+json'
        ].join(', ')
      }
    }
  )
  if (!response.ok) {
    throw new BenchError(
      `${registry.name}: manifest ${repo}@${digest} not found (${response.status})`
    )
  }
  const text = await response.text()
  return { manifest: JSON.parse(text), size: Buffer.byteLength(text) }
}

/**
 * What a build added to the registry's storage: the new blobs, each named by its role in the
 * pushed image, against what an ideal next merge stores (changed layers + config + manifest).
 */
async function storedBy(registry, before, repo, digest, layerNames, changed) {
  const after = storage(registry)
  const { manifest, size: manifestSize } = await fetchManifest(
    registry,
    repo,
    digest
  )
  const roles = new Map([[digest, 'manifest']])
  roles.set(manifest.config.digest, 'config')
  const baseLayers = manifest.layers.length - layerNames.length
  let expected = manifestSize + manifest.config.size
  manifest.layers.forEach((layer, i) => {
    const name =
      i < baseLayers ? `base layer ${i + 1}` : layerNames[i - baseLayers]
    const isChanged =
      i >= baseLayers && (changed === undefined || changed.includes(name))
    if (isChanged) expected += layer.size
    if (!roles.has(layer.digest))
      roles.set(
        layer.digest,
        changed === undefined
          ? `layer ${name}`
          : `layer ${name} (${isChanged ? 'content changed' : 'content unchanged'})`
      )
  })
  const added = [...after.blobs]
    .filter(([d]) => !before.blobs.has(d))
    .map(([d, size]) => ({ digest: d, size, role: roles.get(d) ?? 'other' }))
    .sort((a, b) => b.size - a.size)
  return {
    bytes: added.reduce((sum, b) => sum + b.size, 0),
    du: after.du - before.du,
    expected,
    blobs: added
  }
}

// ---- the contenders ------------------------------------------------------------------------------
function containerfile(layers, entrypoint) {
  return [
    'ARG BASE',
    'FROM ${BASE}',
    ...layers.map(([source, dest]) => `COPY ${source} ${dest}`),
    ...(entrypoint ? [`ENTRYPOINT ${entrypoint}`] : []),
    ''
  ].join('\n')
}

/** `node dist/cli/index.js build --push true` on default inputs, under GNU time for the peak RSS. */
function imprint({
  label,
  checkout,
  registry,
  base,
  repo,
  fx,
  fresh,
  extra = []
}) {
  const rssFile = join(fresh, 'peak-rss')
  const env = freshEnv(fresh)
  const prof = cpuProfDir
    ? [
        '--cpu-prof',
        '--cpu-prof-dir',
        cpuProfDir,
        '--cpu-prof-name',
        `${label.replace(/[^\w.-]+/g, '-')}.cpuprofile`
      ]
    : []
  const args = [
    '-f',
    '%M',
    '-o',
    rssFile,
    process.execPath,
    ...prof,
    cli,
    'build',
    '--image',
    `${registry.host}/${repo}`,
    '--base',
    base,
    '--working-directory',
    checkout,
    ...fx.layers.flatMap(([source, dest]) => ['--layers', `${source}:${dest}`]),
    ...(fx.entrypoint ? ['--entrypoint', fx.entrypoint] : []),
    '--push',
    'true',
    ...extra
  ]
  const start = process.hrtime.bigint()
  const r = run(`imprint, ${label}`, '/usr/bin/time', args, {
    cwd: checkout,
    env
  })
  const elapsed = seconds(start)
  writeFileSync(join(fresh, 'imprint.log'), r.stderr)
  // What Imprint said about reusing the previous image's layers, for the report.
  const lookup = r.stderr.match(/^layer reuse: .*$/m)?.[0]
  const reused = (r.stderr.match(/: unchanged \(diffID /g) ?? []).length
  return {
    reuse: `${lookup ?? 'no previous image looked up'}; ${reused} of ${fx.layers.length} layers reused`,
    seconds: elapsed,
    digest: r.stdout.trim().split('\n').pop(),
    rssKiB: Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop())
  }
}

/** `buildah bud --layers` + `buildah push` with a new storage root: a new runner has no cache. */
function buildah({ label, checkout, registry, base, repo, tag, fresh }) {
  const env = freshEnv(fresh)
  const store = [
    '--root',
    join(fresh, 'storage'),
    '--runroot',
    join(fresh, 'run'),
    '--storage-driver',
    'vfs'
  ]
  const digestFile = join(fresh, 'digest')
  const start = process.hrtime.bigint()
  run(
    `buildah bud, ${label}`,
    'buildah',
    [
      ...store,
      'bud',
      '--layers',
      '--isolation',
      'chroot',
      '--tls-verify=false',
      '--quiet',
      '--build-arg',
      `BASE=${base}`,
      '-t',
      `bench:${tag}`,
      '-f',
      join(checkout, 'Containerfile'),
      checkout
    ],
    { cwd: checkout, env }
  )
  run(
    `buildah push, ${label}`,
    'buildah',
    [
      ...store,
      'push',
      '--quiet',
      '--tls-verify=false',
      '--digestfile',
      digestFile,
      `bench:${tag}`,
      `docker://${registry.host}/${repo}:${tag}`
    ],
    { cwd: checkout, env }
  )
  const elapsed = seconds(start)
  return {
    seconds: elapsed,
    digest: readFileSync(digestFile, 'utf8').trim()
  }
}

function floor(checkout, sources) {
  const start = process.hrtime.bigint()
  run('floor (tar | gzip -6 | sha256sum)', 'bash', [
    '-o',
    'pipefail',
    '-c',
    `tar -cf - -C '${checkout}' ${sources.join(' ')} | gzip -6 | sha256sum`
  ])
  return seconds(start)
}

// ---- fixtures: git repositories, fresh checkouts -------------------------------------------------
/**
 * A fixture is a git repository (`tracked` writes what is committed) plus directories that a real
 * checkout gets from elsewhere (`untracked`: node_modules from `npm ci`, generated files), kept in
 * `store` and moved into each checkout with fresh mtimes, as a new install would have them.
 */
function makeOrigin(fx, dir, epoch, message) {
  mkdirSync(dir, { recursive: true })
  fx.tracked?.(dir)
  writeFileSync(
    join(dir, 'Containerfile'),
    containerfile(fx.layers, fx.entrypoint)
  )
  writeFileSync(
    join(dir, '.gitignore'),
    fx.untracked.map(name => `/${name}/\n`).join('')
  )
  git(dir, ['init', '-q', '-b', 'main'])
  git(dir, ['add', '-A'])
  git(dir, ['commit', '-q', '-m', message], epoch)
  return dir
}
function nextCommit(fx, origin, epoch, message, i) {
  fx.change(origin, i)
  git(origin, ['commit', '-q', '-am', message], epoch)
}
let checkouts = 0
async function withCheckout(fx, origin, work, fn) {
  const dir = join(work, `checkout-${++checkouts}`)
  git(work, ['clone', '-q', origin, dir])
  const sha = git(dir, ['rev-parse', 'HEAD'])
  const moved = []
  try {
    for (const name of fx.untracked) {
      renameSync(join(fx.store, name), join(dir, name))
      moved.push(name)
      run('touch', 'find', [
        join(dir, name),
        '-exec',
        'touch',
        '-h',
        '-d',
        `@${Math.floor(Date.now() / 1000)}`,
        '{}',
        '+'
      ])
    }
    return await fn(dir, sha)
  } finally {
    for (const name of moved) renameSync(join(dir, name), join(fx.store, name))
    if (!options.keep) rmSync(dir, { recursive: true, force: true })
  }
}

// ---- bookkeeping ---------------------------------------------------------------------------------
const results = {}
function record(scenario, key, value) {
  results[scenario] ??= {}
  ;(results[scenario][key] ??= []).push(value)
}
const median = xs => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}
const mb = bytes => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 2 : 1)} MB`
const kb = bytes => (bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : mb(bytes))
const note = line => process.stderr.write(`${line}\n`)

// ---- scenarios -----------------------------------------------------------------------------------
/**
 * Cold (the repository's first commit, an empty image repository) and next merge (a new commit
 * changing one file of the last layer; the previous image in the registry under the parent's SHA)
 * for both tools, on one fixture; the floor over the cold checkout.
 */
async function coldAndNextMerge(ctx, fx, i, { cold, next, link }) {
  const work = join(ctx.work, `${fx.name}-${i}`)
  const epoch = 1_767_225_600 + i * 86_400
  const origin = makeOrigin(
    fx,
    join(work, 'origin'),
    epoch,
    `${fx.name} ${i}: first commit`
  )
  const repo = `${fx.name}/run-${i}`
  const sources = fx.layers.map(([source]) => source)
  const summary = []

  const build = async (phase, tool) => {
    const registry = ctx.registries[tool]
    const fresh = join(work, `${phase}-${tool}`)
    mkdirSync(fresh, { recursive: true })
    const before = storage(registry)
    return withCheckout(fx, origin, work, async (checkout, sha) => {
      if (phase === 'cold' && tool === 'imprint' && (cold || next)) {
        // The same content in both commits but one small file: one floor serves both.
        const f = floor(checkout, sources)
        if (cold) record(fx.scenarios.cold, 'floor', f)
        if (next) record(fx.scenarios.next, 'floor', f)
        summary.push(`floor ${f.toFixed(2)}s`)
      }
      const label = `${fx.name} ${phase} run ${i + 1}`
      const result =
        tool === 'imprint'
          ? imprint({
              label,
              checkout,
              registry,
              base: ctx.bases[tool],
              repo,
              fx,
              fresh
            })
          : buildah({
              label,
              checkout,
              registry,
              base: ctx.bases[tool],
              repo,
              tag: sha,
              fresh
            })
      const stored = await storedBy(
        registry,
        before,
        repo,
        result.digest,
        sources,
        phase === 'next' ? fx.changed : undefined
      )
      if (!options.keep) rmSync(fresh, { recursive: true, force: true })
      return { ...result, stored: { ...stored, reuse: result.reuse } }
    })
  }

  // A next merge needs the cold image in the registry: the cold builds run for it, unreported.
  for (const tool of cold || next ? tools : []) {
    const r = await build('cold', tool)
    if (cold) {
      record(fx.scenarios.cold, tool, r.seconds)
      record(fx.scenarios.cold, `${tool}-stored`, r.stored)
      if (r.rssKiB) record(fx.scenarios.cold, `${tool}-rss`, r.rssKiB)
      summary.push(`cold ${tool} ${r.seconds.toFixed(2)}s`)
    }
  }
  if (next) {
    nextCommit(fx, origin, epoch + 3600, `${fx.name} ${i}: next merge`, i)
    for (const tool of tools) {
      const r = await build('next', tool)
      record(fx.scenarios.next, tool, r.seconds)
      record(fx.scenarios.next, `${tool}-stored`, r.stored)
      if (r.rssKiB) record(fx.scenarios.next, `${tool}-rss`, r.rssKiB)
      summary.push(
        `next merge ${tool} ${r.seconds.toFixed(2)}s, stored ${kb(r.stored.bytes)}`
      )
    }
  }
  if (link) {
    // Cold again into new repositories, pushed through a 200 Mbit/s link: uploads cost what they
    // cost on a network (both tools pull the base directly and push everything through the link).
    for (const tool of tools) {
      const registry = ctx.links[tool]
      const fresh = join(work, `link-${tool}`)
      mkdirSync(fresh, { recursive: true })
      const r = await withCheckout(fx, origin, work, (checkout, sha) => {
        const label = `${fx.name} link run ${i + 1}`
        const linkRepo = `link/run-${i}`
        return tool === 'imprint'
          ? imprint({
              label,
              checkout,
              registry,
              base: ctx.bases[tool],
              repo: linkRepo,
              fx,
              fresh
            })
          : buildah({
              label,
              checkout,
              registry,
              base: ctx.bases[tool],
              repo: linkRepo,
              tag: sha,
              fresh
            })
      })
      if (!options.keep) rmSync(fresh, { recursive: true, force: true })
      record('link', tool, r.seconds)
      if (r.rssKiB) record('link', `${tool}-rss`, r.rssKiB)
      summary.push(`link ${tool} ${r.seconds.toFixed(2)}s`)
    }
  }
  note(`  ${fx.name} run ${i + 1}/${runs}: ${summary.join('; ')}`)
  if (!options.keep) rmSync(work, { recursive: true, force: true })
}

/** Cold only, both tools and the floor: for the 100,000 small files and the 1 GiB layer. */
async function coldOnly(ctx, fx, i, scenario, tools) {
  const work = join(ctx.work, `${fx.name}-${i}`)
  const origin = makeOrigin(
    fx,
    join(work, 'origin'),
    1_767_225_600 + i * 86_400,
    `${fx.name} ${i}: first commit`
  )
  const repo = `${fx.name}/run-${i}`
  const sources = fx.layers.map(([source]) => source)
  const summary = []
  for (const tool of tools) {
    const registry = ctx.registries[tool]
    const fresh = join(work, `cold-${tool}`)
    mkdirSync(fresh, { recursive: true })
    const r = await withCheckout(fx, origin, work, (checkout, sha) => {
      if (tool === 'imprint' && fx.floor) {
        const f = floor(checkout, sources)
        record(scenario, 'floor', f)
        summary.push(`floor ${f.toFixed(2)}s`)
      }
      const label = `${fx.name} cold run ${i + 1}`
      return tool === 'imprint'
        ? imprint({
            label,
            checkout,
            registry,
            base: ctx.bases[tool],
            repo,
            fx,
            fresh
          })
        : buildah({
            label,
            checkout,
            registry,
            base: ctx.bases[tool],
            repo,
            tag: sha,
            fresh
          })
    })
    if (!options.keep) rmSync(fresh, { recursive: true, force: true })
    record(scenario, tool, r.seconds)
    if (r.rssKiB) record(scenario, `${tool}-rss`, r.rssKiB)
    summary.push(
      `${tool} ${r.seconds.toFixed(2)}s${r.rssKiB ? ` (peak RSS ${(r.rssKiB / 1024).toFixed(0)} MiB)` : ''}`
    )
  }
  note(`  ${fx.name} run ${i + 1}/${runs}: ${summary.join('; ')}`)
  if (!options.keep) rmSync(work, { recursive: true, force: true })
}

/**
 * What the SBOM costs: the fixture cold, unsigned, signed with a key (provenance, no SBOM), and
 * signed with the SBOM, each into a new repository; on the fixture's busybox base (the target) and
 * on a slim-Debian-like base, whose 70 MB the SBOM stage downloads and reads.
 */
async function sbomCost(ctx, fx, i) {
  const work = join(ctx.work, `sbom-${i}`)
  const origin = makeOrigin(
    fx,
    join(work, 'origin'),
    1_767_225_600 + i * 86_400,
    `sbom ${i}: first commit`
  )
  const variants = [
    ['unsigned', []],
    ['signed', ['--signing-key', ctx.signingKey, '--sbom', 'false']],
    ['sbom', ['--signing-key', ctx.signingKey]]
  ]
  const bases = [
    ['sbom', ctx.bases.imprint],
    ['sbom-debian', ctx.debianLike.reference]
  ]
  const summary = []
  for (const [scenario, base] of bases) {
    for (const [variant, extra] of variants) {
      const fresh = join(work, `${scenario}-${variant}`)
      mkdirSync(fresh, { recursive: true })
      const r = await withCheckout(fx, origin, work, checkout =>
        imprint({
          label: `${scenario} ${variant} run ${i + 1}`,
          checkout,
          registry: ctx.registries.imprint,
          base,
          repo: `${scenario}/${variant}-${i}`,
          fx,
          fresh,
          extra
        })
      )
      if (!options.keep) rmSync(fresh, { recursive: true, force: true })
      record(scenario, variant, r.seconds)
      summary.push(`${scenario} ${variant} ${r.seconds.toFixed(2)}s`)
    }
  }
  note(`  sbom run ${i + 1}/${runs}: ${summary.join('; ')}`)
  if (!options.keep) rmSync(work, { recursive: true, force: true })
}

// ---- the real dependency tree --------------------------------------------------------------------
/** `npm ci --ignore-scripts` of bench/realtree into `dir` (reused while its lock is the same). */
function installRealtree(dir) {
  const lock = readFileSync(join(repoRoot, 'bench/realtree/package-lock.json'))
  const installedLock = join(dir, 'package-lock.json')
  if (
    existsSync(join(dir, 'node_modules')) &&
    existsSync(installedLock) &&
    readFileSync(installedLock).equals(lock)
  ) {
    note(`real tree: reusing the install in ${dir}`)
    return 0
  }
  mkdirSync(dir, { recursive: true })
  rmSync(join(dir, 'node_modules'), { recursive: true, force: true })
  copyFileSync(
    join(repoRoot, 'bench/realtree/package.json'),
    join(dir, 'package.json')
  )
  copyFileSync(
    join(repoRoot, 'bench/realtree/package-lock.json'),
    installedLock
  )
  note(`real tree: npm ci --ignore-scripts in ${dir} …`)
  const start = process.hrtime.bigint()
  run(
    'npm ci of bench/realtree (needs the npm registry)',
    'npm',
    ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd: dir }
  )
  return seconds(start)
}
function countTree(dir) {
  const out = run('find', 'find', [dir, '-type', 'f', '-printf', '%s\n']).stdout
  const sizes = out.split('\n').filter(Boolean).map(Number)
  return { files: sizes.length, bytes: sizes.reduce((a, b) => a + b, 0) }
}

// ---- report --------------------------------------------------------------------------------------
const targets = []
/** One target line: the measured value against its limit, ✓ or ✗. */
function check(
  label,
  value,
  limit,
  { show = v => `${v.toFixed(3)}×`, strict = false, detail = '' } = {}
) {
  if (value === undefined || Number.isNaN(value)) return
  const ok = strict ? value < limit : value <= limit
  targets.push(
    `| ${label} | ${show(value)}${detail} | ${strict ? '<' : '≤'} ${show(limit)} | ${ok ? '✓' : '✗'} |`
  )
}

function report(ctx) {
  const m = (scenario, key) => {
    const xs = results[scenario]?.[key]
    return xs?.length ? median(xs) : undefined
  }
  const s = v => (v === undefined ? '–' : v.toFixed(2))
  const ratio = (a, b) =>
    a === undefined || b === undefined ? '–' : (a / b).toFixed(3)
  const storedMedian = (scenario, tool) => {
    const xs = results[scenario]?.[`${tool}-stored`]
    return xs?.length ? median(xs.map(x => x.bytes)) : undefined
  }
  const rows = [
    ['cold', 'cold (fixture: 1500 files + asset + app)'],
    ['next-merge', 'next merge (fixture: one file of the last layer changed)'],
    ['link', `cold, pushed over a ${(linkRate * 8) / 1e6} Mbit/s link`],
    ['realtree-cold', 'real tree cold (node_modules + app)'],
    ['realtree-next-merge', 'real tree next merge (one app file changed)'],
    ['small-files', '100,000 small files cold'],
    ['rss', '1 GiB layer cold']
  ].filter(([name]) => results[name])

  console.log(
    `\nBuild + push, median of ${runs} run${runs > 1 ? 's' : ''} (${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${ctx.versions})`
  )
  for (const line of ctx.content) console.log(`- ${line}`)
  console.log(
    '\n| scenario | imprint (s) | buildah bud --layers + push (s) | floor (s) | imprint / buildah | imprint / floor | imprint peak RSS | stored by imprint | stored by buildah |'
  )
  console.log('|---|---|---|---|---|---|---|---|---|')
  for (const [name, title] of rows) {
    const rss = m(name, 'imprint-rss')
    const si = storedMedian(name, 'imprint')
    const sb = storedMedian(name, 'buildah')
    console.log(
      `| ${title} | ${s(m(name, 'imprint'))} | ${s(m(name, 'buildah'))} | ${s(m(name, 'floor'))} | ${ratio(m(name, 'imprint'), m(name, 'buildah'))} | ${ratio(m(name, 'imprint'), m(name, 'floor'))} | ${rss === undefined ? '–' : `${(rss / 1024).toFixed(0)} MiB`} | ${si === undefined ? '–' : kb(si)} | ${sb === undefined ? '–' : kb(sb)} |`
    )
  }

  const r = (name, a, b) =>
    m(name, a) !== undefined && m(name, b) !== undefined
      ? m(name, a) / m(name, b)
      : undefined
  check('cold ≤ 0.2× buildah (fixture)', r('cold', 'imprint', 'buildah'), 0.2)
  check('cold ≤ 1.5× the floor (fixture)', r('cold', 'imprint', 'floor'), 1.5)
  check(
    'next merge ≤ 0.1× buildah (fixture)',
    r('next-merge', 'imprint', 'buildah'),
    0.1
  )
  check(
    'real tree cold ≤ 0.2× buildah',
    r('realtree-cold', 'imprint', 'buildah'),
    0.2
  )
  check(
    'real tree cold ≤ 1.5× the floor',
    r('realtree-cold', 'imprint', 'floor'),
    1.5
  )
  check(
    'real tree next merge ≤ 0.1× buildah',
    r('realtree-next-merge', 'imprint', 'buildah'),
    0.1
  )
  check(
    'real tree next merge ≤ 0.5× the floor (unchanged tree: hash only)',
    r('realtree-next-merge', 'imprint', 'floor'),
    0.5
  )
  check(
    '100,000 small files ≤ 2× the floor',
    r('small-files', 'imprint', 'floor'),
    2
  )
  for (const name of ['next-merge', 'realtree-next-merge']) {
    const xs = results[name]?.['imprint-stored']
    if (!xs?.length) continue
    const worst = xs.reduce((a, b) =>
      b.bytes / b.expected > a.bytes / a.expected ? b : a
    )
    check(
      `bytes stored per merge ≤ changed layers + config + manifest (${name === 'next-merge' ? 'fixture' : 'real tree'}; worst run)`,
      worst.bytes / worst.expected,
      1,
      { detail: ` (${kb(worst.bytes)} stored, ${kb(worst.expected)} ideal)` }
    )
  }
  const rss = results.rss?.['imprint-rss']
  if (rss?.length) {
    check(
      '1 GiB layer peak RSS < 200 MB (worst run)',
      Math.max(...rss) * 1024,
      200e6,
      {
        show: v => `${(v / 1e6).toFixed(0)} MB`,
        strict: true,
        detail: ` (${(Math.max(...rss) / 1024).toFixed(0)} MiB)`
      }
    )
  }
  for (const [scenario, title] of [
    ['sbom', 'fixture cold'],
    ['sbom-debian', 'fixture cold on the debian-like base']
  ]) {
    const unsigned = m(scenario, 'unsigned')
    const signed = m(scenario, 'signed')
    const withSbom = m(scenario, 'sbom')
    if (withSbom === undefined) continue
    console.log(
      `\nSBOM, ${title} (median s): unsigned ${s(unsigned)}; signed, no SBOM ${s(signed)}; signed with SBOM ${s(withSbom)}`
    )
    check(
      `SBOM adds ≤ 20 % to the ${title}`,
      (withSbom - signed) / unsigned,
      0.2,
      {
        show: v => `${(v * 100).toFixed(1)} %`,
        detail: ` (+${(withSbom - signed).toFixed(2)} s)`
      }
    )
  }
  if (targets.length) {
    console.log('\n| target | measured | limit | |')
    console.log('|---|---|---|---|')
    for (const line of targets) console.log(line)
  }

  for (const name of [
    'next-merge',
    'realtree-next-merge',
    'cold',
    'realtree-cold'
  ]) {
    for (const tool of ['imprint', 'buildah']) {
      const xs = results[name]?.[`${tool}-stored`]
      if (!xs?.length) continue
      const last = xs[xs.length - 1]
      if (tool === 'imprint')
        console.log(
          `\nRegistry bytes stored, ${name} (last run; du -sb of blobs/ grew by the sum plus directories):`
        )
      console.log(
        `- ${tool}: ${kb(last.bytes)} in ${last.blobs.length} new blob${last.blobs.length === 1 ? '' : 's'} (du -sb +${kb(last.du)}); ${name.endsWith('next-merge') ? 'ideal (changed layers + config + manifest)' : 'the image (all its new layers + config + manifest)'}: ${kb(last.expected)}`
      )
      if (last.reuse) console.log(`    imprint's log: ${last.reuse}`)
      for (const b of last.blobs)
        console.log(
          `    ${b.digest.slice(7, 19)}  ${kb(b.size).padStart(9)}  ${b.role}`
        )
    }
  }

  console.log('\nEvery run (s):')
  for (const scenario of ['sbom', 'sbom-debian'])
    if (results[scenario])
      console.log(
        `- ${scenario}: ${['unsigned', 'signed', 'sbom'].map(k => `${k} ${results[scenario][k].map(v => v.toFixed(2)).join(' / ')}`).join('; ')}`
      )
  for (const [name, title] of rows) {
    const parts = ['imprint', 'buildah', 'floor']
      .filter(k => results[name][k])
      .map(k => `${k} ${results[name][k].map(v => v.toFixed(2)).join(' / ')}`)
    const rssRuns = results[name]['imprint-rss']
    if (rssRuns)
      parts.push(
        `imprint peak RSS ${rssRuns.map(v => (v / 1024).toFixed(0)).join(' / ')} MiB`
      )
    console.log(`- ${title}: ${parts.join('; ')}`)
  }
}

// ---- main ----------------------------------------------------------------------------------------
async function main() {
  checkPrerequisites()
  const work = mkdtempSync(join(tmpdir(), 'imprint-bench-'))
  const ctx = { work, content: [] }
  const version = (cmd, args) =>
    (spawnSync(cmd, args, { encoding: 'utf8' }).stdout ?? '')
      .trim()
      .split('\n')[0]
  ctx.versions = [
    ...(tools.includes('buildah')
      ? [
          `buildah ${
            version('buildah', ['--version'])
              .replace(/^buildah version /, '')
              .split(' ')[0]
          }`
        ]
      : []),
    `docker-registry ${version('docker-registry', ['--version']).split(' ').pop()}`,
    `imprint ${version('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD'])}`
  ].join(', ')
  let failed = false
  try {
    ctx.registries = {
      imprint: await startRegistry(work, 'imprint'),
      buildah: await startRegistry(work, 'buildah')
    }
    const layout = makeBase(work)
    ctx.bases = {
      imprint: pushBase(layout, ctx.registries.imprint),
      buildah: pushBase(layout, ctx.registries.buildah)
    }
    if (wants('link')) {
      ctx.links = {
        imprint: await startLink(ctx.registries.imprint),
        buildah: await startLink(ctx.registries.buildah)
      }
    }

    const fixture = {
      name: 'fixture',
      layers: [
        ['deps', '/app/node_modules'],
        ['asset', '/app/assets'],
        ['app', '/app/src']
      ],
      entrypoint: '["/app/src/run.sh"]',
      tracked: generateFixture,
      untracked: [],
      change: (dir, i) =>
        writeFileSync(
          join(dir, 'app', 'server.js'),
          `console.log("server ${i}")\n`.repeat(200)
        ),
      changed: ['app'],
      scenarios: { cold: 'cold', next: 'next-merge' }
    }
    if (wants('cold') || wants('next-merge') || wants('link')) {
      ctx.content.push(
        'fixture: deps ≈ 24 MB in 1500 files, asset 6.3 MB, app 4.4 kB (2 files), all committed; layers deps, asset, app'
      )
      note('fixture (cold, next merge, link):')
      for (let i = 0; i < runs; i++)
        await coldAndNextMerge(ctx, fixture, i, {
          cold: wants('cold'),
          next: wants('next-merge'),
          link: wants('link')
        })
    }

    if (wants('realtree-cold') || wants('realtree-next-merge')) {
      const installDir = options['realtree-install']
        ? resolve(options['realtree-install'])
        : join(work, 'realtree-install')
      const installSeconds = installRealtree(installDir)
      const lock = JSON.parse(
        readFileSync(join(repoRoot, 'bench/realtree/package-lock.json'), 'utf8')
      )
      const packages = Object.keys(lock.packages).filter(k =>
        k.includes('node_modules/')
      ).length
      const tree = countTree(join(installDir, 'node_modules'))
      ctx.content.push(
        `real tree: bench/realtree, ${packages} packages, ${tree.files.toLocaleString('en')} files, ${mb(tree.bytes)} in node_modules (npm ci --ignore-scripts${installSeconds ? ` took ${installSeconds.toFixed(0)} s, not measured` : ', reused'}); layers node_modules, app (22 files)`
      )
      const realtree = {
        name: 'realtree',
        layers: [
          ['node_modules', '/app/node_modules'],
          ['app', '/app/src']
        ],
        entrypoint: '["node","/app/src/server.js"]',
        tracked: generateRealtreeApp,
        untracked: ['node_modules'],
        store: installDir,
        change: (dir, i) =>
          writeFileSync(
            join(dir, 'app', 'server.js'),
            `${readFileSync(join(dir, 'app', 'server.js'), 'utf8')}// next merge ${i}\n`
          ),
        changed: ['app'],
        scenarios: { cold: 'realtree-cold', next: 'realtree-next-merge' }
      }
      note('real tree (cold, next merge):')
      for (let i = 0; i < runs; i++)
        await coldAndNextMerge(ctx, realtree, i, {
          cold: wants('realtree-cold'),
          next: wants('realtree-next-merge'),
          link: false
        })
    }

    if (wants('small-files')) {
      const store = join(work, 'small-files-content')
      generateSmallFiles(join(store, 'files'))
      const tree = countTree(join(store, 'files'))
      ctx.content.push(
        `small files: ${tree.files.toLocaleString('en')} files, ${mb(tree.bytes)} in 1,000 directories; one layer`
      )
      const smallFiles = {
        name: 'small-files',
        layers: [['files', '/data']],
        untracked: ['files'],
        store,
        floor: true
      }
      note('100,000 small files (cold):')
      for (let i = 0; i < runs; i++)
        await coldOnly(ctx, smallFiles, i, 'small-files', tools)
    }

    if (wants('sbom')) {
      ctx.debianLike = pushDebianLikeBase(work, ctx.registries.imprint)
      ctx.signingKey = join(work, 'signing.key')
      writeFileSync(
        ctx.signingKey,
        generateKeyPairSync('ec', {
          namedCurve: 'prime256v1'
        }).privateKey.export({ type: 'pkcs8', format: 'pem' })
      )
      ctx.content.push(
        `SBOM: the fixture on its busybox base and on a slim-Debian-like base (${ctx.debianLike.description}), imprint only`
      )
      note('SBOM cost (fixture cold, busybox and debian-like bases):')
      for (let i = 0; i < runs; i++) await sbomCost(ctx, fixture, i)
    }

    if (wants('rss')) {
      const store = join(work, 'big-content')
      generateBig(join(store, 'data'))
      ctx.content.push(
        '1 GiB layer: one file of text-like content, imprint only (peak RSS from GNU time)'
      )
      const big = {
        name: 'big',
        layers: [['data', '/data']],
        untracked: ['data'],
        store
      }
      note('1 GiB layer (peak RSS):')
      for (let i = 0; i < runs; i++)
        await coldOnly(ctx, big, i, 'rss', ['imprint'])
    }

    report(ctx)
  } catch (error) {
    failed = true
    if (error instanceof BenchError)
      console.error(
        `\nbench: ${error.message}${options.keep ? '' : '\n(--keep keeps the work directory: checkouts, logs, registries)'}`
      )
    else console.error(error)
  } finally {
    stopChildren()
    if (options.keep) console.error(`bench: work directory kept: ${work}`)
    else rmSync(work, { recursive: true, force: true })
  }
  if (failed) process.exitCode = 1
}

try {
  await main()
} catch (error) {
  stopChildren()
  console.error(error instanceof BenchError ? `bench: ${error.message}` : error)
  process.exitCode = 1
}
