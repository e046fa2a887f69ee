import { createReadStream } from 'node:fs'
import type { Readable } from 'node:stream'
import type { Digest } from '../oci/digest'

/**
 * A blob file still being written, which an upload can follow: it learns how far the file has
 * got, and the digest once it is complete. Bytes once written never change, so any written range
 * can be read (and read again after a failed request).
 */
export class GrowingFile {
  private written = 0
  private complete?: { digest: Digest; size: number }
  private failure?: Error
  private waiters: (() => void)[] = []

  constructor(readonly path: string) {}

  progress(bytes: number): void {
    this.written = bytes
    this.wake()
  }

  finish(digest: Digest, size: number): void {
    this.complete = { digest, size }
    this.written = size
    this.wake()
  }

  fail(error: Error): void {
    if (this.complete) return
    this.failure = error
    this.wake()
  }

  /**
   * Resolves once at least `want` bytes are written or the file is complete: how many bytes can
   * be read now, and the digest when complete. Rejects when writing failed.
   */
  async ready(want: number): Promise<{ available: number; digest?: Digest }> {
    while (!this.complete && !this.failure && this.written < want)
      await new Promise<void>(wake => this.waiters.push(wake))
    if (this.failure) throw this.failure
    return { available: this.written, digest: this.complete?.digest }
  }

  open(offset: number, length?: number): Promise<Readable> {
    return Promise.resolve(
      createReadStream(this.path, {
        start: offset,
        end: length === undefined ? undefined : offset + length - 1,
        highWaterMark: 1024 * 1024
      })
    )
  }

  private wake(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const wake of waiters) wake()
  }
}
