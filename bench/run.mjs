#!/usr/bin/env node
// Build + push benchmark, cold and warm: Imprint vs `buildah bud --layers` + `buildah push`, the floor
// `tar | gzip -6 | sha256sum`, and imprint's peak RSS for a 1 GiB layer; same content, base and registry.
// Usage: npm run bench [-- --runs N]   (needs docker-registry, skopeo, umoci, busybox-static, buildah)
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  chmodSync,
  closeSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync
} from 'node:fs'
import { createServer } from 'node:net'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join, resolve } from 'node:path'

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5
const repoRoot = resolve(import.meta.dirname, '..')
const work = mkdtempSync(join(tmpdir(), 'imprint-bench-'))

function need(tool) {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`], {
    encoding: 'utf8'
  }).stdout.trim()
  if (!found) {
    console.error(
      `bench: ${tool} is not installed (apt-get install ${tool === 'busybox' ? 'busybox-static' : tool})`
    )
    process.exit(2)
  }
  return found
}
for (const tool of [
  'docker-registry',
  'skopeo',
  'umoci',
  'buildah',
  'busybox',
  'tar',
  'gzip',
  'sha256sum'
])
  need(tool)

// ---- content: ≈1500 small source files ≈ 23 MB, a 6 MB binary asset, a small app layer ----------
function seeded(seed) {
  let x = seed
  return () => (x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff
}
function generate(dir) {
  const random = seeded(42)
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
  for (let i = 0; i < 1500; i++) {
    const pkg = join(dir, 'deps', `pkg-${Math.floor(i / 15)}`, 'lib')
    mkdirSync(pkg, { recursive: true })
    const lines = []
    let size = 0
    const target = 12000 + Math.floor(random() * 7000)
    while (size < target) {
      const line =
        Array.from(
          { length: 8 },
          () => words[Math.floor(random() * words.length)]
        ).join(' ') + ` ${Math.floor(random() * 1e6)};`
      lines.push(line)
      size += line.length + 1
    }
    writeFileSync(join(pkg, `file-${i}.js`), lines.join('\n'))
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
  writeFileSync(join(dir, 'Containerfile'), '')
}

// ---- registry and base ---------------------------------------------------------------------------
async function freePort() {
  return new Promise(res => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => res(port))
    })
  })
}
async function startRegistry() {
  const port = await freePort()
  const dir = join(work, 'registry')
  mkdirSync(dir)
  writeFileSync(
    join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`
  )
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', openSync(join(dir, 'log'), 'w')]
  })
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/v2/`)
      return { host: `127.0.0.1:${port}`, stop: () => child.kill() }
    } catch {
      await new Promise(r => setTimeout(r, 50))
    }
  }
  throw new Error('registry did not start')
}
function pushBase(host) {
  const dir = join(work, 'base')
  execFileSync('umoci', ['init', '--layout', `${dir}/layout`])
  execFileSync('umoci', ['new', '--image', `${dir}/layout:latest`])
  execFileSync('umoci', [
    'unpack',
    '--image',
    `${dir}/layout:latest`,
    `${dir}/bundle`
  ])
  mkdirSync(`${dir}/bundle/rootfs/bin`, { recursive: true })
  copyFileSync(need('busybox'), `${dir}/bundle/rootfs/bin/busybox`)
  symlinkSync('busybox', `${dir}/bundle/rootfs/bin/sh`)
  execFileSync('umoci', [
    'repack',
    '--image',
    `${dir}/layout:latest`,
    `${dir}/bundle`
  ])
  execFileSync('skopeo', [
    'copy',
    '--quiet',
    '--dest-tls-verify=false',
    `oci:${dir}/layout:latest`,
    `docker://${host}/base/busybox:latest`
  ])
  return `${host}/base/busybox:latest`
}

// ---- the contenders ------------------------------------------------------------------------------
function timed(fn) {
  const start = process.hrtime.bigint()
  fn()
  return Number(process.hrtime.bigint() - start) / 1e9
}
function sh(command, args, options = {}) {
  const r = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    ...options
  })
  if (r.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed:\n${r.stderr}`)
  return r.stdout
}
const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const git = (cwd, ...args) =>
  sh(
    'git',
    [
      '-c',
      'user.name=bench',
      '-c',
      'user.email=bench@example.invalid',
      ...args
    ],
    { cwd }
  )

function imprint(ctx, registry, base, repo) {
  return sh(process.execPath, [
    join(repoRoot, 'dist/cli/index.js'),
    'build',
    '--image',
    `${registry.host}/${repo}`,
    '--base',
    base,
    '--working-directory',
    ctx,
    '--layers',
    'deps:/app/node_modules',
    '--layers',
    'asset:/app/assets',
    '--layers',
    'app:/app/src',
    '--entrypoint',
    '["/app/src/run.sh"]',
    '--tags',
    '{{sha}}',
    '--push',
    'true',
    // A fixed source date: with HEAD's commit time, every commit would change every layer.
    '--source-date-epoch',
    '0'
  ])
}

function buildah(ctx, registry, root, repo, tag) {
  // A fresh storage root each time: a new runner has no local images or layer cache.
  const store = [
    '--root',
    `${root}/root`,
    '--runroot',
    `${root}/run`,
    '--storage-driver',
    'vfs'
  ]
  sh('buildah', [
    ...store,
    'bud',
    '--layers',
    '--isolation',
    'chroot',
    '--tls-verify=false',
    '--quiet',
    '-t',
    `bench:${tag}`,
    '-f',
    join(ctx, 'Containerfile'),
    ctx
  ])
  sh('buildah', [
    ...store,
    'push',
    '--quiet',
    '--tls-verify=false',
    `bench:${tag}`,
    `docker://${registry.host}/${repo}:${tag}`
  ])
  rmSync(root, { recursive: true, force: true })
}

/** Peak RSS (KiB, from GNU time) of a build + push of one 1 GiB layer. */
function peakRss(registry) {
  const dir = join(work, 'big')
  mkdirSync(join(dir, 'data'), { recursive: true })
  // Text-like content: compressible, so the measurement is about memory, not a slow gzip of noise.
  const line = Buffer.from(
    '0123456789abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ '
  )
  const block = Buffer.alloc(1024 * 1024)
  const random = seeded(7)
  const fd = openSync(join(dir, 'data', 'big.bin'), 'w')
  for (let i = 0; i < 1024; i++) {
    for (let o = 0; o < block.length; o += line.length)
      line.copy(block, o, Math.floor(random() * 10))
    writeSync(fd, block)
  }
  closeSync(fd)
  const out = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      '%M',
      process.execPath,
      join(repoRoot, 'dist/cli/index.js'),
      'build',
      '--image',
      `${registry.host}/imprint/big`,
      '--base',
      'scratch',
      '--working-directory',
      dir,
      '--layers',
      'data:/data',
      '--tags',
      'big',
      '--push',
      'true',
      '--source-date-epoch',
      '0'
    ],
    { encoding: 'utf8' }
  )
  if (out.status !== 0) throw new Error(`1 GiB build failed: ${out.stderr}`)
  return Number(out.stderr.trim().split('\n').pop())
}

const linkRate = 25_000_000

/** The registry behind bench/throttle.mjs: uploads limited to `linkRate` bytes per second. */
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
  await new Promise(ready => proxy.stdout.once('data', ready))
  return { host: `127.0.0.1:${port}`, stop: () => proxy.kill() }
}

async function main() {
  const ctx = join(work, 'ctx')
  generate(ctx)
  git(ctx, 'init', '-q', '-b', 'main')
  const registry = await startRegistry()
  let link
  try {
    const base = pushBase(registry.host)
    writeFileSync(
      join(ctx, 'Containerfile'),
      `FROM ${base}\nCOPY deps /app/node_modules\nCOPY asset /app/assets\nCOPY app /app/src\nENTRYPOINT ["/app/src/run.sh"]\n`
    )
    git(ctx, 'add', '-A')
    git(ctx, 'commit', '-q', '-m', 'cold')
    const results = {
      imprintCold: [],
      imprintWarm: [],
      buildahCold: [],
      buildahWarm: [],
      imprintLink: [],
      buildahLink: [],
      floor: []
    }
    link = await startLink(registry)
    for (let i = 0; i < runs; i++) {
      results.floor.push(
        timed(() =>
          sh('sh', [
            '-c',
            `tar -cf - -C '${ctx}' deps asset app | gzip -6 | sha256sum`
          ])
        )
      )
      // Cold: a repository that has nothing yet (only the base, which both tools can mount).
      results.imprintCold.push(
        timed(() => imprint(ctx, registry, base, `imprint/run-${i}`))
      )
      results.buildahCold.push(
        timed(() =>
          buildah(
            ctx,
            registry,
            join(work, `buildah-${i}`),
            `buildah/run-${i}`,
            `cold-${i}`
          )
        )
      )
      // Warm: one small file in the last layer changed and committed; the previous image is in the
      // repository, nothing is on the machine.
      writeFileSync(
        join(ctx, 'app', 'server.js'),
        `console.log("server ${i}")\n`.repeat(200)
      )
      git(ctx, 'commit', '-q', '-am', `warm ${i}`)
      results.imprintWarm.push(
        timed(() => imprint(ctx, registry, base, `imprint/run-${i}`))
      )
      results.buildahWarm.push(
        timed(() =>
          buildah(
            ctx,
            registry,
            join(work, `buildah-w${i}`),
            `buildah/run-${i}`,
            `warm-${i}`
          )
        )
      )
      // Cold again, pushed through a 200 Mbit/s link: uploads cost what they cost on a network.
      results.imprintLink.push(
        timed(() => imprint(ctx, link, base, `imprint/link-${i}`))
      )
      results.buildahLink.push(
        timed(() =>
          buildah(
            ctx,
            link,
            join(work, `buildah-l${i}`),
            `buildah/link-${i}`,
            `link-${i}`
          )
        )
      )
      const last = k => results[k][i].toFixed(2)
      process.stderr.write(
        `run ${i + 1}/${runs}: cold imprint ${last('imprintCold')}s buildah ${last('buildahCold')}s; warm imprint ${last('imprintWarm')}s buildah ${last('buildahWarm')}s; link imprint ${last('imprintLink')}s buildah ${last('buildahLink')}s; floor ${last('floor')}s\n`
      )
    }
    const m = Object.fromEntries(
      Object.entries(results).map(([k, v]) => [k, median(v)])
    )
    const rss = peakRss(registry)
    const size = sh('du', [
      '-sb',
      join(ctx, 'deps'),
      join(ctx, 'asset'),
      join(ctx, 'app')
    ])
      .trim()
      .split('\n')
      .map(l => Number(l.split('\t')[0]))
    console.log(
      `\nBuild + push, median of ${runs} runs (${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version})`
    )
    console.log(
      `content: deps ${(size[0] / 1e6).toFixed(1)} MB in 1500 files, asset ${(size[1] / 1e6).toFixed(1)} MB, app ${(size[2] / 1e3).toFixed(1)} kB\n`
    )
    console.log(
      '| scenario | imprint (s) | buildah bud --layers + push (s) | imprint / buildah | target |'
    )
    console.log('|---|---|---|---|---|')
    console.log(
      `| cold | ${m.imprintCold.toFixed(2)} | ${m.buildahCold.toFixed(2)} | ${(m.imprintCold / m.buildahCold).toFixed(3)} | ≤ 0.2 |`
    )
    console.log(
      `| warm (one file in the last layer changed) | ${m.imprintWarm.toFixed(2)} | ${m.buildahWarm.toFixed(2)} | ${(m.imprintWarm / m.buildahWarm).toFixed(3)} | ≤ 0.1 |`
    )
    console.log(
      `| cold, pushed over a ${(linkRate * 8) / 1e6} Mbit/s link | ${m.imprintLink.toFixed(2)} | ${m.buildahLink.toFixed(2)} | ${(m.imprintLink / m.buildahLink).toFixed(3)} | |`
    )
    console.log(
      `\nfloor tar | gzip -6 | sha256sum: ${m.floor.toFixed(2)} s; imprint cold / floor = ${(m.imprintCold / m.floor).toFixed(2)} (target ≤ 1.5)`
    )
    console.log(
      `peak RSS, build + push of one 1 GiB layer: ${(rss / 1024).toFixed(0)} MiB (target < 200 MB)`
    )
  } finally {
    link?.stop()
    registry.stop()
    rmSync(work, { recursive: true, force: true })
  }
}
await main()
