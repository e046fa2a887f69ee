// Issue #14, "writes outside the repository" and "reads outside the working directory": a
// repository (a pull request, or a build step before the action) controls the tree the action
// writes into and reads from. Nothing outside the repository may be written, and nothing outside
// the working directory may end up in an image, whatever links the tree holds.
import { execFileSync, spawn } from 'node:child_process'
import {
  chmodSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  renameSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { errorLines, runAction } from '../helpers/action'
import { git, originAndClone, show } from '../helpers/git-origin'
import {
  commitSymlinks,
  layoutContains,
  outsideDirectory,
  pullRequestEnvironment,
  pushEnvironment,
  repositoryContains,
  snapshot,
  treeEntry
} from '../helpers/hostile-repo'
import { build } from '../helpers/pipeline'
import { catalog, startRegistry, type TestRegistry } from '../helpers/registry'
import { requireTool } from '../helpers/tools'

let registry: TestRegistry
beforeAll(async () => {
  registry = await startRegistry()
})
afterAll(async () => registry?.stop())

const deployment = (image: string): string =>
  `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: ${image}
`

/**
 * How a run ended: `ok`; `refused` (exactly one `::error::`, an input error naming `input`, not a
 * bare system error); or `failed: …` with what it printed instead.
 */
function outcome(
  run: { status: number | null; stdout: string },
  input: string
): string {
  const errors = errorLines({ ...run, stderr: '', outputs: {}, summary: '' })
  if (run.status === 0) return errors.length ? 'succeeded with errors' : 'ok'
  if (
    errors.length === 1 &&
    errors[0].startsWith(`::error::Input "${input}": `) &&
    !/ENOENT|EACCES|ELOOP|\n\s+at /.test(errors[0])
  )
    return 'refused'
  return `failed: ${errors.join(' | ') || run.stdout.slice(-500)}`
}

describe('finding 1: oci-layout never follows links committed in the repository', () => {
  const cases: [string, string, string][] = [
    ['layout/oci-layout is a link to a file', 'layout/oci-layout', 'victim'],
    [
      'layout/index.json.tmp is a link to a file',
      'layout/index.json.tmp',
      'victim'
    ],
    ['layout/blobs is a link to a directory', 'layout/blobs', 'store'],
    ['the layout directory itself is a link', 'layout', 'store']
  ]
  const events: [
    string,
    (sha: string, base: string) => Record<string, string>
  ][] = [
    ['push', sha => pushEnvironment(sha)],
    ['pull_request', (sha, base) => pullRequestEnvironment(sha, base)]
  ]
  it.each(
    events.flatMap(([event, env]) =>
      cases.map(([what, link, target]) => [event, what, link, target, env])
    ) as [
      string,
      string,
      string,
      string,
      (sha: string, base: string) => Record<string, string>
    ][]
  )(
    'on %s events, %s: the file or directory outside is untouched',
    (_event, _what, link, target, env) => {
      const outside = outsideDirectory({
        victim: '{"imageLayoutVersion":"victim"}\n',
        'store/keep.txt': 'a directory of someone else\n'
      })
      const repo = originAndClone({ 'app/hello.txt': 'hello\n' })
      const sha = commitSymlinks(repo.workspace, {
        [link]: join(outside, target)
      })
      const before = snapshot(outside)

      const run = runAction(
        {
          image: `${registry.host}/hostile/layout`,
          base: 'scratch',
          layers: 'app:/app',
          'oci-layout': 'layout',
          comment: 'false'
        },
        { cwd: repo.workspace, env: env(sha, repo.sha) }
      )

      expect(snapshot(outside)).toEqual(before)
      // Either the layout is written without following the links, or the input is refused.
      const result = outcome(run, 'oci-layout')
      const dir = join(repo.workspace, 'layout')
      const linksLeft = Object.values(snapshot(dir)).some(
        e => e.type === 'symlink'
      )
      expect(
        result === 'ok'
          ? linksLeft
            ? 'written through links'
            : 'written'
          : result
      ).toMatch(/^(written|refused)$/)
    }
  )
})

describe('finding 2: manifest edits never follow links out of the repository', () => {
  it.each([
    ['none', 'a linked directory (k8s -> /elsewhere)'],
    ['push', 'a linked directory (k8s -> /elsewhere)'],
    ['none', 'a link to a host file'],
    ['push', 'a link to a host file']
  ])(
    'manifest-commit: %s, %s: nothing outside is written or committed, one error names manifests',
    async (mode, what) => {
      const image = `${registry.host}/hostile/manifest-link-${mode}-${what.startsWith('a linked') ? 'dir' : 'file'}`
      const secret = `db-password: hunter2-${mode}-${Math.random().toString(36).slice(2)}`
      const outside = outsideDirectory({
        'elsewhere/deployment.yaml': deployment(`${image}:old`),
        'host-secrets.yaml': `${deployment(`${image}:old`)}# ${secret}\n`
      })
      const repo = originAndClone({ 'app/hello.txt': 'hello\n' })
      const links: Record<string, string> = what.startsWith('a linked')
        ? { k8s: join(outside, 'elsewhere') }
        : { 'deploy/app.yaml': join(outside, 'host-secrets.yaml') }
      const sha = commitSymlinks(repo.workspace, links)
      const manifest = what.startsWith('a linked')
        ? 'k8s/deployment.yaml'
        : 'deploy/app.yaml'
      const before = snapshot(outside)
      const link = join(repo.workspace, Object.keys(links)[0])
      const linkBefore = snapshot(link)

      const run = runAction(
        {
          image,
          base: 'scratch',
          layers: 'app:/app',
          manifests: manifest,
          'manifest-commit': mode
        },
        { cwd: repo.workspace, env: pushEnvironment(sha) }
      )

      expect(snapshot(outside)).toEqual(before)
      // The committed link is still a link: no copy of the host file lands in the checkout.
      expect(snapshot(link)).toEqual(linkBefore)
      expect(git(repo.origin, 'rev-parse', 'main')).toBe(sha)
      expect(repositoryContains(repo.origin, secret)).toBe(false)
      expect(outcome(run, 'manifests')).toBe('refused')
      // Manifests are checked before any layer is built: a refused one leaves nothing pushed.
      expect(await catalog(registry)).not.toContain(
        image.slice(registry.host.length + 1)
      )
    }
  )
})

describe('finding 3: links inside the repository and file modes are kept', () => {
  function seeded(image: string) {
    const repo = originAndClone({
      'app/hello.txt': 'hello\n',
      'base/deployment.yaml': deployment(`${image}:old`),
      'deploy/job.yaml': deployment(`${image}:old`)
    })
    chmodSync(join(repo.workspace, 'deploy/job.yaml'), 0o755)
    const sha = commitSymlinks(repo.workspace, {
      'overlays/prod/deployment.yaml': '../../base/deployment.yaml'
    })
    expect(treeEntry(repo.workspace, sha, 'deploy/job.yaml')).toMatch(
      /^100755 /
    )
    return { repo, sha }
  }
  const inputs = (image: string, mode: string) => ({
    image,
    base: 'scratch',
    layers: 'app:/app',
    manifests: 'overlays/prod/deployment.yaml\ndeploy/job.yaml',
    'manifest-commit': mode
  })

  it('manifest-commit: push edits the link target and commits the link as a link (120000), the executable as 100755', () => {
    const image = `${registry.host}/hostile/links-push`
    const { repo, sha } = seeded(image)
    const run = runAction(inputs(image, 'push'), {
      cwd: repo.workspace,
      env: pushEnvironment(sha)
    })
    expect(errorLines(run)).toEqual([])
    expect(run.status).toBe(0)
    const pinned = `${image}:${sha}@${run.outputs.digest}`
    const head = git(repo.origin, 'rev-parse', 'main')
    expect(head).not.toBe(sha)
    expect({
      link: treeEntry(repo.origin, head, 'overlays/prod/deployment.yaml'),
      linkTarget: show(repo.origin, 'main', 'overlays/prod/deployment.yaml'),
      target: show(repo.origin, 'main', 'base/deployment.yaml'),
      executable: treeEntry(repo.origin, head, 'deploy/job.yaml'),
      job: show(repo.origin, 'main', 'deploy/job.yaml')
    }).toEqual({
      link: expect.stringMatching(/^120000 blob /),
      linkTarget: '../../base/deployment.yaml',
      target: deployment(pinned),
      executable: expect.stringMatching(/^100755 blob /),
      job: deployment(pinned)
    })
  })

  it('manifest-commit: none edits the link target in the workspace and keeps the link and the mode', () => {
    const image = `${registry.host}/hostile/links-none`
    const { repo, sha } = seeded(image)
    const run = runAction(inputs(image, 'none'), {
      cwd: repo.workspace,
      env: pushEnvironment(sha)
    })
    expect(errorLines(run)).toEqual([])
    expect(run.status).toBe(0)
    const pinned = `${image}:${sha}@${run.outputs.digest}`
    const w = (p: string): string => join(repo.workspace, p)
    expect({
      isLink: lstatSync(w('overlays/prod/deployment.yaml')).isSymbolicLink(),
      linkTarget: lstatSync(w('overlays/prod/deployment.yaml')).isSymbolicLink()
        ? readlinkSync(w('overlays/prod/deployment.yaml'))
        : undefined,
      target: readFileSync(w('base/deployment.yaml'), 'utf8'),
      mode: statSync(w('deploy/job.yaml')).mode & 0o777,
      job: readFileSync(w('deploy/job.yaml'), 'utf8')
    }).toEqual({
      isLink: true,
      linkTarget: '../../base/deployment.yaml',
      target: deployment(pinned),
      mode: 0o755,
      job: deployment(pinned)
    })
  })
})

describe('finding 4: a manifests pattern cannot reach outside the repository', () => {
  it.each([['[.][.]/x/victim.yaml'], ['{..,y}/x/victim.yaml']])(
    '%s is refused and the file outside is untouched',
    async pattern => {
      const image = `${registry.host}/hostile/glob-${pattern.startsWith('[') ? 'class' : 'brace'}`
      const repo = originAndClone({ 'app/hello.txt': 'hello\n' })
      // The directory next to the checkout, as `..` from the repository root sees it.
      const outside = join(dirname(repo.workspace), 'x')
      mkdirSync(outside)
      writeFileSync(join(outside, 'victim.yaml'), deployment(`${image}:old`), {
        mode: 0o640
      })
      const before = snapshot(outside)
      const run = runAction(
        {
          image,
          base: 'scratch',
          layers: 'app:/app',
          manifests: pattern,
          'manifest-commit': 'none'
        },
        { cwd: repo.workspace, env: pushEnvironment(repo.sha) }
      )
      expect(snapshot(outside)).toEqual(before)
      expect(outcome(run, 'manifests')).toBe('refused')
      expect(await catalog(registry)).not.toContain(
        image.slice(registry.host.length + 1)
      )
    }
  )
})

describe('finding 5: a file swapped for a link after it was checked does not put a host file into the image', () => {
  const secret = `HOST-SECRET-${'s'.repeat(24)}`
  const decoy = `plain-content-${'d'.repeat(22)}`

  it('a swap between the walk and the read (deterministic: made while the walk is still going)', async () => {
    expect(decoy.length).toBe(secret.length)
    const outside = outsideDirectory({ 'secret.txt': secret })
    const ws = mkdtempSync(join(tmpdir(), 'imprint-toctou-'))
    mkdirSync(join(ws, 'app'))
    writeFileSync(join(ws, 'app/config.txt'), decoy)
    // A FIFO deep in a second layer: the walk warns about it (it is left out of the layer) long
    // after app/config.txt was checked, and before any layer is read. The warning is the moment
    // a concurrent build step swaps the checked file for a link.
    const deep = join(
      ws,
      'bulk',
      ...Array.from({ length: 40 }, (_, i) => `d${i}`)
    )
    mkdirSync(deep, { recursive: true })
    execFileSync(requireTool('mkfifo'), [join(deep, 'pipe')])
    let swapped = false
    const swap = (): void => {
      if (swapped) return
      swapped = true
      symlinkSync(join(outside, 'secret.txt'), join(ws, 'swap.tmp'))
      renameSync(join(ws, 'swap.tmp'), join(ws, 'app/config.txt'))
    }
    const layout = mkdtempSync(join(tmpdir(), 'imprint-toctou-layout-'))
    const quiet = (): void => {}
    const outcome = await build(
      {
        image: `${registry.host}/hostile/toctou`,
        base: 'scratch',
        layers: 'app/config.txt:/etc/app/config.txt\nbulk:/bulk',
        push: 'false',
        'oci-layout': layout,
        tags: 'x',
        'source-date-epoch': '0',
        'working-directory': ws
      },
      {
        log: {
          debug: quiet,
          info: quiet,
          warning: swap,
          group: (_name, fn) => fn()
        }
      }
    ).then(
      () => 'built',
      (error: Error) => `failed: ${error.message}`
    )
    expect(swapped).toBe(true)
    expect({ outcome, leaked: layoutContains(layout, secret) }).toEqual({
      outcome: expect.any(String),
      leaked: false
    })
  })

  it('files swapped back and forth by a concurrent process, over many builds (statistical)', async () => {
    const outside = outsideDirectory({ 'secret.txt': secret })
    const ws = mkdtempSync(join(tmpdir(), 'imprint-toctou-race-'))
    // A few swapped files, each alone in its directory (listed and checked in one go), among
    // many ordinary files that put time between the check and the read.
    const hot = 4
    mkdirSync(join(ws, 'app'))
    mkdirSync(join(ws, '.swap'))
    for (let i = 0; i < 100; i++)
      writeFileSync(join(ws, 'app', `plain-${i}.txt`), `${i}\n`)
    for (let i = 0; i < hot; i++) {
      mkdirSync(join(ws, 'app', `hot${i}`), { recursive: true })
      writeFileSync(join(ws, 'app', `hot${i}`, 'f.txt'), decoy)
    }
    // Another step of the same job, swapping each file for a link to the host file and back.
    const swapper = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('node:fs'), path = require('node:path')
         const [ws, secret, decoy, n] = process.argv.slice(1)
         const pause = new Int32Array(new SharedArrayBuffer(4))
         for (let round = 0; ; round++) {
           Atomics.wait(pause, 0, 0, 1)
           for (let i = 0; i < Number(n); i++) {
             const file = path.join(ws, 'app', 'hot' + i, 'f.txt')
             const tmp = path.join(ws, '.swap', 'f' + i)
             try {
               if (round % 2) fs.writeFileSync(tmp, decoy)
               else fs.symlinkSync(secret, tmp)
               fs.renameSync(tmp, file)
             } catch {}
           }
         }`,
        ws,
        join(outside, 'secret.txt'),
        decoy,
        String(hot)
      ],
      { stdio: 'ignore' }
    )
    const builds = 25
    const outcomes: string[] = []
    const leaks: number[] = []
    try {
      for (let n = 0; n < builds; n++) {
        const layout = mkdtempSync(join(tmpdir(), 'imprint-toctou-layout-'))
        outcomes.push(
          await build({
            image: `${registry.host}/hostile/toctou-race`,
            base: 'scratch',
            layers: 'app:/app',
            push: 'false',
            'oci-layout': layout,
            tags: 'x',
            'source-date-epoch': '0',
            'working-directory': ws
          }).then(
            () => 'built',
            (error: Error) => `failed: ${error.message.slice(0, 200)}`
          )
        )
        if (layoutContains(layout, secret)) leaks.push(n)
      }
    } finally {
      swapper.kill('SIGKILL')
    }
    expect({ leaks, builds: outcomes.length }).toEqual({
      leaks: [],
      builds
    })
  })
})

describe('finding 6: a manifest whose name holds a backslash', () => {
  it('is edited, or refused with one clear error (never a bare ENOENT)', () => {
    const image = `${registry.host}/hostile/backslash`
    const repo = originAndClone({
      'app/hello.txt': 'hello\n',
      'deploy/we\\ird.yaml': deployment(`${image}:old`)
    })
    const run = runAction(
      {
        image,
        base: 'scratch',
        layers: 'app:/app',
        manifests: 'deploy/*.yaml',
        'manifest-commit': 'none'
      },
      { cwd: repo.workspace, env: pushEnvironment(repo.sha) }
    )
    const result = outcome(run, 'manifests')
    const edited = readFileSync(
      join(repo.workspace, 'deploy/we\\ird.yaml'),
      'utf8'
    )
    expect(
      result === 'ok'
        ? edited === deployment(`${image}:${repo.sha}@${run.outputs.digest}`)
          ? 'edited'
          : 'ok but not edited'
        : result
    ).toMatch(/^(edited|refused)$/)
  })
})

describe('finding 15: a hard link to a file outside the working directory', () => {
  // Decided (README, "What Imprint reads and writes"): a hard link is a file, archived with its
  // content. Git cannot commit hard links, so only a step of the job itself can make one, and such
  // a step could as well copy the file; pnpm's node_modules are hard links into its store.
  it('is archived as the file it is, as the README documents', () => {
    const secret = `HARDLINKED-CONTENT-${Math.random().toString(36).slice(2)}`
    const outside = outsideDirectory({ 'store.txt': secret })
    const ws = mkdtempSync(join(tmpdir(), 'imprint-hardlink-'))
    mkdirSync(join(ws, 'app'))
    writeFileSync(join(ws, 'app/hello.txt'), 'hello\n')
    linkSync(join(outside, 'store.txt'), join(ws, 'app/link.txt'))
    expect(statSync(join(ws, 'app/link.txt')).nlink).toBe(2)
    const layout = mkdtempSync(join(tmpdir(), 'imprint-hardlink-layout-'))
    const run = runAction(
      {
        image: `${registry.host}/hostile/hardlink`,
        base: 'scratch',
        layers: 'app:/app',
        push: 'false',
        'oci-layout': layout,
        tags: 'x'
      },
      { cwd: ws, env: { GITHUB_SHA: 'f'.repeat(40) } }
    )
    expect(run.status).toBe(0)
    expect(layoutContains(layout, secret)).toBe(true)
    expect(readFileSync('README.md', 'utf8')).toMatch(
      /hard link is archived as the\s+file it is/i
    )
  })
})
