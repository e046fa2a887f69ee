import { Readable } from 'node:stream'
import { describe, expect, it } from '@jest/globals'
import { parseStoredMap } from '../../../src/cache/actions-cache'
import { sha256, type Digest } from '../../../src/oci/digest'
import type { Artifact, Blob } from '../../../src/oci/image'
import { parseReference } from '../../../src/oci/reference'
import {
  nextLayerMap,
  storedLayerLimit,
  type LayerRecord
} from '../../../src/cache/layer-map'

const gzip = 'application/vnd.oci.image.layer.v1.tar+gzip'

function record(n: number): LayerRecord {
  return {
    diffId: sha256(`tar ${n}`),
    digest: sha256(`gzip ${n}`),
    size: 100 + n,
    mediaType: gzip,
    compressor: 'gzip level 6'
  }
}

function layer(r: LayerRecord): Blob {
  return {
    descriptor: { mediaType: r.mediaType, digest: r.digest, size: r.size },
    open: async () => Readable.from([]),
    built: {
      diffId: r.diffId,
      uncompressedSize: 1,
      source: 's',
      destination: '/d',
      compressor: r.compressor
    }
  }
}

/** Only what nextLayerMap reads of an artifact. */
function image(records: LayerRecord[], base: Blob[] = []): Artifact {
  return {
    kind: 'image',
    layers: [...base, ...records.map(layer)]
  } as unknown as Artifact
}

describe('the layer map to store', () => {
  it("puts this build's layers first, keeps the rest, and leaves base layers out", () => {
    const baseLayer: Blob = {
      descriptor: { mediaType: gzip, digest: sha256('base'), size: 1 },
      open: async () => Readable.from([])
    }
    const next = nextLayerMap(image([record(3), record(1)], [baseLayer]), [
      record(1),
      record(2)
    ])
    expect(next).toEqual([record(3), record(1), record(2)])
  })

  it('is undefined when the build adds nothing, so nothing is saved', () => {
    expect(
      nextLayerMap(image([record(1)]), [record(2), record(1)])
    ).toBeUndefined()
  })

  it('replaces an entry whose diffID now has another blob', () => {
    const moved = { ...record(1), digest: sha256('other') as Digest }
    expect(nextLayerMap(image([moved]), [record(1)])).toEqual([moved])
  })

  it('counts each layer of an index once and stays bounded', () => {
    const shared = record(0)
    const index = {
      kind: 'index',
      images: [image([shared, record(1)]), image([shared, record(2)])]
    } as unknown as Artifact
    const old = Array.from({ length: storedLayerLimit }, (_, i) =>
      record(i + 10)
    )
    const next = nextLayerMap(index, old)!
    expect(next.slice(0, 3)).toEqual([shared, record(1), record(2)])
    expect(next).toHaveLength(storedLayerLimit)
  })
})

describe('a stored layer map read back', () => {
  const repo = parseReference('ghcr.io/acme/api').repository

  it('keeps well-formed records and drops the rest', () => {
    const text = JSON.stringify({
      schemaVersion: 1,
      repository: 'ghcr.io/acme/api',
      layers: [
        record(1),
        { ...record(2), digest: 'md5:abc' },
        { ...record(3), size: -1 },
        null
      ]
    })
    expect(parseStoredMap(text, repo)).toEqual([record(1)])
  })

  it("refuses another repository's map and other versions", () => {
    const map = { schemaVersion: 1, repository: 'ghcr.io/acme/web', layers: [] }
    expect(() => parseStoredMap(JSON.stringify(map), repo)).toThrow(
      'the map is of ghcr.io/acme/web'
    )
    expect(() =>
      parseStoredMap(JSON.stringify({ ...map, schemaVersion: 2 }), repo)
    ).toThrow('not a layer map of this version')
  })
})
