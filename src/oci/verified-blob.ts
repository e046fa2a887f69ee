import { createHash } from 'node:crypto'
import type { Descriptor } from './types'

/** A blob read as a stream and checked against its descriptor. */
export interface VerifiedBlob {
  chunks: AsyncIterable<Buffer>
  /** Reads what the consumer of `chunks` left, so that the whole blob is checked. */
  rest(): Promise<void>
  close(): Promise<void>
}

/**
 * A blob's bytes as they stream, checked against its descriptor: more bytes than its size fail
 * at once, another size or digest at the end.
 */
export function verifiedBlob(
  source: AsyncIterable<Uint8Array>,
  descriptor: Descriptor
): VerifiedBlob {
  const iterator = source[Symbol.asyncIterator]()
  const hash = createHash('sha256')
  let size = 0
  let ended = false
  const pull = async (): Promise<Buffer | undefined> => {
    const next = await iterator.next()
    if (next.done) {
      ended = true
      const digest = `sha256:${hash.digest('hex')}`
      if (size !== descriptor.size || digest !== descriptor.digest)
        throw new Error(
          `its content (${size} bytes, ${digest}) is not what its descriptor says (${descriptor.size} bytes, ${descriptor.digest})`
        )
      return undefined
    }
    const chunk = Buffer.from(
      next.value.buffer,
      next.value.byteOffset,
      next.value.byteLength
    )
    size += chunk.length
    if (size > descriptor.size) {
      ended = true
      await iterator.return?.()
      throw new Error(
        `it is larger than the ${descriptor.size} bytes its descriptor says`
      )
    }
    hash.update(chunk)
    return chunk
  }
  return {
    chunks: (async function* () {
      for (;;) {
        const chunk = await pull()
        if (!chunk) return
        yield chunk
      }
    })(),
    async rest() {
      while (!ended) await pull()
    },
    async close() {
      if (!ended) await iterator.return?.()
      ended = true
    }
  }
}
