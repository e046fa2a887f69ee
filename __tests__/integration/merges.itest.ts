// Issue 12: users live across a stream of merges on a base that moves. These tests build commit
// after commit against the real registry and check what a user of the images would see.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { pushBusyboxBase } from '../helpers/busybox-base'
import { build } from '../helpers/pipeline'
import { startRegistry, type TestRegistry } from '../helpers/registry'
import { podmanRun } from '../helpers/runtime'
import { gitWorkspace } from '../helpers/workspace'

let registry: TestRegistry
beforeAll(async () => {
  registry = await startRegistry()
})
afterAll(async () => registry?.stop())

describe('directories the base has', () => {
  it('keep their mode and owner in a real runtime when layers go inside them', async () => {
    const base = `${registry.host}/bases/dirs:1`
    await pushBusyboxBase(base, {
      directories: [
        { path: 'tmp', mode: 0o1777, uid: 0, gid: 0 },
        { path: 'home/app', mode: 0o750, uid: 1000, gid: 1000 }
      ]
    })
    const ws = gitWorkspace({
      'cache/seed.txt': 'seed\n',
      'data/app.db': 'db\n',
      'bin/hello': '#!/bin/sh\necho hello\n'
    })
    const result = await build({
      image: `${registry.host}/acme/dirs`,
      base,
      layers:
        'cache:/tmp/cache\ndata:/home/app/data\nbin/hello:/opt/tools/hello',
      'working-directory': ws.dir,
      tags: 'v1'
    })
    const out = podmanRun(`${registry.host}/acme/dirs@${result.digest}`, [
      '/bin/stat',
      '-c',
      '%n %a %u:%g',
      '/tmp',
      '/home/app',
      '/tmp/cache',
      '/home/app/data',
      '/opt/tools',
      '/tmp/cache/seed.txt'
    ])
    expect(out.trim().split('\n')).toEqual([
      // The base's: a non-root app can still write /tmp, and the home stays the user's.
      '/tmp 1777 0:0',
      '/home/app 750 1000:1000',
      // What the layers bring, and the directories a runtime creates for them.
      '/tmp/cache 755 0:0',
      '/home/app/data 755 0:0',
      '/opt/tools 755 0:0',
      '/tmp/cache/seed.txt 644 0:0'
    ])
  })
})
