import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { Git } from '../../../src/git/git'
import { readContext } from '../../../src/pipeline/context'

function repo(): { dir: string; sha: string } {
  const dir = mkdtempSync(join(tmpdir(), 'imprint-ctx-'))
  const env = {
    ...process.env,
    GIT_AUTHOR_DATE: '1600000000 +0000',
    GIT_COMMITTER_DATE: '1600000000 +0000'
  }
  const git = (...args: string[]) =>
    execFileSync(
      'git',
      ['-c', 'user.name=t', '-c', 'user.email=t@x', ...args],
      { cwd: dir, env, encoding: 'utf8' }
    ).trim()
  git('init', '-q', '-b', 'trunk')
  writeFileSync(join(dir, 'f'), 'x')
  git('add', 'f')
  git('commit', '-q', '-m', 'one')
  return { dir, sha: git('rev-parse', 'HEAD') }
}

// The environment git runs with, as a front end would pass it.
const git = new Git({ PATH: process.env.PATH, HOME: process.env.HOME })
const at = (dir: string) => ({
  workspace: dir,
  workingDirectory: dir,
  tempDir: tmpdir()
})

describe('readContext', () => {
  it('uses the PR head commit, number and branch on pull_request events', async () => {
    const { dir } = repo()
    const event = join(dir, 'event.json')
    writeFileSync(
      event,
      JSON.stringify({
        number: 17,
        pull_request: {
          number: 17,
          head: { sha: 'b'.repeat(40), ref: 'feature/x' }
        }
      })
    )
    const context = await readContext(
      {
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: event,
        GITHUB_SHA: 'm'.repeat(40),
        GITHUB_HEAD_REF: 'feature/x',
        GITHUB_REPOSITORY: 'acme/api',
        GITHUB_SERVER_URL: 'https://github.com'
      },
      git,
      at(dir)
    )
    expect(context.sha).toBe('b'.repeat(40))
    expect(context.pr).toBe(17)
    expect(context.branch).toBe('feature/x')
    expect(context.sourceUrl).toBe('https://github.com/acme/api')
    // The head commit is not in this (shallow-like) checkout: HEAD's time stands in.
    expect(context.sourceDateEpoch).toBe(1600000000)
  })

  it('falls back to the checkout locally, and to $SOURCE_DATE_EPOCH outside git', async () => {
    const { dir, sha } = repo()
    const local = await readContext({}, git, at(dir))
    expect(local).toMatchObject({
      sha,
      branch: 'trunk',
      sourceDateEpoch: 1600000000
    })
    const outside = await readContext(
      { SOURCE_DATE_EPOCH: '1234' },
      git,
      at(mkdtempSync(join(tmpdir(), 'imprint-nogit-')))
    )
    expect(outside).toMatchObject({
      sha: undefined,
      sourceDateEpoch: 1234,
      sourceDateOrigin: '$SOURCE_DATE_EPOCH'
    })
    const input = await readContext(
      { SOURCE_DATE_EPOCH: '1234' },
      git,
      at(dir),
      42
    )
    expect(input.sourceDateEpoch).toBe(42)
    // After the year 9999 no image can carry it: one line naming the variable.
    await expect(
      readContext(
        { SOURCE_DATE_EPOCH: '253402300800' },
        git,
        at(mkdtempSync(join(tmpdir(), 'imprint-nogit-')))
      )
    ).rejects.toThrow(
      /^\$SOURCE_DATE_EPOCH 253402300800 is after 9999-12-31T23:59:59Z/
    )
  })

  it('lists up to three earlier commits, newest first, and sees a PR merge checkout', async () => {
    const { dir, sha: first } = repo()
    const env = {
      ...process.env,
      GIT_AUTHOR_DATE: '1700000000 +0000',
      GIT_COMMITTER_DATE: '1700000000 +0000'
    }
    const commit = (message: string) => {
      execFileSync(
        'git',
        [
          '-c',
          'user.name=t',
          '-c',
          'user.email=t@x',
          'commit',
          '-q',
          '--allow-empty',
          '-m',
          message
        ],
        { cwd: dir, env }
      )
      return execFileSync('git', ['rev-parse', 'HEAD'], {
        cwd: dir,
        encoding: 'utf8'
      }).trim()
    }
    const [second, third, fourth, fifth] = ['2', '3', '4', '5'].map(commit)
    const local = await readContext({}, git, at(dir))
    expect(local.sha).toBe(fifth)
    expect(local.sourceDateEpoch).toBe(1700000000)
    expect(local.previousCommits).toEqual([fourth, third, second])
    expect(local.mergeCheckout).toBeUndefined()

    // A pull request whose head is an older commit: the checkout (HEAD) is the merge.
    const event = join(dir, 'event.json')
    writeFileSync(
      event,
      JSON.stringify({
        pull_request: { number: 3, head: { sha: third }, base: { sha: first } }
      })
    )
    const pr = await readContext(
      { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event },
      git,
      at(dir)
    )
    expect(pr.sha).toBe(third)
    expect(pr.mergeCheckout).toBe(fifth)
    expect(pr.previousCommits).toEqual([first, second])

    // GITHUB_SHA that is not in the checkout: its time comes from HEAD, no ancestors are known.
    const elsewhere = await readContext(
      { GITHUB_SHA: 'c'.repeat(40), GITHUB_ACTIONS: 'true' },
      git,
      at(dir)
    )
    expect(elsewhere).toMatchObject({
      sha: 'c'.repeat(40),
      sourceDateEpoch: 1700000000,
      previousCommits: []
    })
    // An empty GITHUB_SHA is no commit: the checkout's is used.
    const empty = await readContext(
      { GITHUB_SHA: '', GITHUB_ACTIONS: 'true' },
      git,
      at(dir)
    )
    expect(empty).toMatchObject({ sha: fifth, sourceDateEpoch: 1700000000 })
    // A user setting that changes `git log` output changes nothing (plumbing is asked).
    execFileSync('git', ['config', 'log.showSignature', 'true'], { cwd: dir })
    execFileSync('git', ['config', 'format.pretty', 'oneline'], { cwd: dir })
    expect((await readContext({}, git, at(dir))).previousCommits).toEqual([
      fourth,
      third,
      second
    ])
  })

  it('reads the version from a tag ref', async () => {
    const { dir } = repo()
    const context = await readContext(
      { GITHUB_REF: 'refs/tags/v1.2.3', GITHUB_ACTIONS: 'true' },
      git,
      at(dir)
    )
    expect(context.version).toBe('v1.2.3')
    expect(context.branch).toBeUndefined()
  })
})
