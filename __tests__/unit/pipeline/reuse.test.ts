import { createHash, randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from '@jest/globals'
import type { Digest } from '../../../src/oci/digest'
import { Repository } from '../../../src/oci/reference'
import { compressorId, layerMediaType } from '../../../src/layer/layer'
import type { RegistryClient } from '../../../src/registry/client'
import { reuseLookup, type Candidate } from '../../../src/pipeline/reuse'
import type { Logger } from '../../../src/util/log'

const sha = (bytes: Buffer): Digest =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`

/** A previous image's layer, and a client that serves its blob in chunks, counting them. */
function previousLayer() {
  const tar = randomBytes(4 << 20)
  const blob = gzipSync(tar, { level: 1 })
  const diffId = sha(tar)
  const served = { chunks: 0, total: Math.ceil(blob.length / 65536) }
  let release: () => void = () => {}
  const gate = new Promise<void>(resolve => (release = resolve))
  const client = {
    async getBlob() {
      return (async function* () {
        for (let at = 0; at < blob.length; at += 65536) {
          // The first chunk goes out at once; the rest once the test lets them.
          if (at > 0) await gate
          served.chunks++
          yield blob.subarray(at, at + 65536)
        }
      })()
    }
  } as unknown as RegistryClient
  const candidate: Candidate = {
    descriptor: {
      mediaType: layerMediaType('gzip'),
      digest: sha(blob),
      size: blob.length
    },
    compressor: compressorId('gzip'),
    from: 'registry.example/acme/app:parent',
    madeFrom: 'imprint: deps → /app/node_modules'
  }
  return { client, candidate, diffId, served, release }
}

function recording(): Logger & { lines: string[] } {
  const lines: string[] = []
  return {
    lines,
    debug: () => {},
    info: m => lines.push(m),
    warning: m => lines.push(m),
    group: (_n, fn) => fn()
  }
}

const written = {
  compressor: compressorId('gzip'),
  mediaType: layerMediaType('gzip')
}
const repo = Repository.parse('registry.example/acme/app')

/** A lookup over a map holding one previous layer, logging into `log`. */
function lookingUp() {
  const previous = previousLayer()
  const log = recording()
  const reuse = reuseLookup(
    previous.client,
    repo,
    new Map([[previous.diffId, previous.candidate]]),
    written,
    log
  )
  return { ...previous, reuse, log }
}

describe('reuseLookup', () => {
  it('checks the previous blob of the same line while the layer is hashed, and lookup waits for that check', async () => {
    const { reuse, log, candidate, diffId, served, release } = lookingUp()
    const hashed = reuse.expect!('deps', '/app/node_modules')
    // Started before the layer's own diffID is known.
    await new Promise(resolve => setImmediate(resolve))
    expect(served.chunks).toBe(1)
    release()
    hashed(diffId)
    const blob = await reuse.lookup!(diffId)
    expect(blob?.descriptor.digest).toBe(candidate.descriptor.digest)
    expect(served.chunks).toBe(served.total)
    expect(log.lines).toEqual([])
  })

  it('stops reading the previous blob when the layer hashed to something else, without a word', async () => {
    const { reuse, log, candidate, diffId, served, release } = lookingUp()
    const hashed = reuse.expect!('deps', '/app/node_modules')
    await new Promise(resolve => setImmediate(resolve))
    hashed(`sha256:${'0'.repeat(64)}`)
    release()
    for (let i = 0; i < 50; i++) await new Promise(r => setImmediate(r))
    // The cancelled read stopped at its next chunk instead of reading the blob to the end.
    expect(served.chunks).toBeLessThanOrEqual(2)
    expect(served.total).toBeGreaterThan(10)
    // A later lookup of the old diffID starts a check of its own (the cancelled one is gone).
    const again = await reuse.lookup!(diffId)
    expect(again?.descriptor.digest).toBe(candidate.descriptor.digest)
    expect(served.chunks).toBeLessThanOrEqual(2 + served.total)
    expect(log.lines).toEqual([])
  })

  it('goes on with a check another layer waits for, when its own line changed', async () => {
    const { reuse, log, candidate, diffId, served, release } = lookingUp()
    const hashed = reuse.expect!('deps', '/app/node_modules')
    // Another line's layer hashed to the old blob's diffID and waits for the same check.
    const looked = reuse.lookup!(diffId, 4 << 20)
    hashed(`sha256:${'0'.repeat(64)}`)
    release()
    expect((await looked)?.descriptor.digest).toBe(candidate.descriptor.digest)
    expect(served.chunks).toBe(served.total)
    expect(log.lines).toEqual([])
  })

  it('builds instead when the previous blob decompresses to more than the layer hashed to', async () => {
    const { reuse, log, diffId, release } = lookingUp()
    reuse.expect!('deps', '/app/node_modules')
    // The layer's tar was 1 MiB; the blob holds 4 MiB: its check stops past the first.
    const looked = reuse.lookup!(diffId, 1 << 20)
    release()
    expect(await looked).toBeUndefined()
    expect(log.lines).toEqual([
      expect.stringMatching(
        /cannot be reused \(it decompresses to more than the layer's 1048576 bytes\); building/
      )
    ])
  })

  it('starts nothing for a line no previous layer was made from', () => {
    const { reuse, served } = lookingUp()
    reuse.expect!('app', '/app/src')(undefined)
    expect(served.chunks).toBe(0)
  })
})
