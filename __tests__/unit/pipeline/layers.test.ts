import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { SourceListing } from '../../../src/pipeline/layers'

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'imprint-listing-'))
  mkdirSync(join(root, 'app/lib'), { recursive: true })
  writeFileSync(join(root, 'app/lib/a.js'), 'a')
  writeFileSync(join(root, 'app/secret.env'), 'x')
  mkdirSync(join(root, 'linux-amd64'))
  writeFileSync(join(root, 'linux-amd64/bin'), 'b')
  return root
}

const listingOf = (root: string) =>
  new SourceListing({
    workingDirectory: root,
    ownDestination: false
  })

describe('SourceListing', () => {
  it('lists each line once; a line naming a platform when asked', async () => {
    const root = tree()
    const listing = listingOf(root).startEarly([
      { source: 'app', destination: '/srv' },
      { source: '{{os}}-{{arch}}', destination: '/usr/local' }
    ])
    const first = listing.list('app', '/srv')
    expect(listing.list('app', '/srv')).toBe(first)
    expect((await first).entries.map(e => e.path)).toEqual([
      'srv/lib/a.js',
      'srv/secret.env'
    ])
    const platform = await listing.list('linux-amd64', '/usr/local')
    expect(platform.entries.map(e => e.path)).toEqual(['usr/local/bin'])
  })

  it('never lists the directory Imprint writes the OCI layout to', async () => {
    const root = tree()
    // Made while the sources are listed (here: before; the layout itself made later would do).
    mkdirSync(join(root, 'app/out/oci/blobs'), { recursive: true })
    writeFileSync(join(root, 'app/out/oci/index.json'), '{}')
    writeFileSync(join(root, 'app/out/keep.txt'), 'k')
    const listing = new SourceListing({
      workingDirectory: root,
      ownDestination: false,
      skip: [join(root, 'app/out/oci'), join(root, 'app/not-yet/made')]
    })
    const { entries } = await listing.list('app', '/srv')
    expect(entries.map(e => e.path)).toEqual([
      'srv/lib/a.js',
      'srv/out/keep.txt',
      'srv/secret.env'
    ])
  })

  it('keeps what the listing had to say for the layer stage to tell', async () => {
    const root = tree()
    execFileSync('mkfifo', [join(root, 'app/pipe')])
    const listing = listingOf(root).startEarly([
      { source: 'app', destination: '/srv' }
    ])
    const { warnings } = await listing.list('app', '/srv')
    expect(warnings).toEqual([
      expect.stringMatching(
        /app\/pipe is not a regular file, directory or symlink/
      )
    ])
  })

  it('stops a listing the run no longer needs', async () => {
    const root = tree()
    const listing = listingOf(root).startEarly([
      { source: 'app', destination: '/srv' }
    ])
    listing.stop()
    await expect(listing.list('app', '/srv')).rejects.toThrow('the run ended')
  })
})
