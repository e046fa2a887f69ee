import { Worker } from 'node:worker_threads'

/** A small file to read whole: where it is, and what the walk saw of it. */
export interface SmallFile {
  source: string
  size: number
  identity?: { dev: number; ino: number }
}

/** Bytes of file content a reader may have read ahead of the tar stream. */
const aheadBytes = 8 * 1024 * 1024
/** Content per message from the reader: large enough that messages are few. */
const batchBytes = 1024 * 1024

/**
 * The reader thread: opens each file without following a link, checks it is the file the walk
 * listed (device, inode, regular, same size), reads it whole and sends contents in batches, in
 * order. It stays at most `aheadBytes` ahead of what the tar stream has taken (`credit`).
 */
const readerSource = `;(() => {
const fs = require('node:fs')
const { parentPort, workerData } = require('node:worker_threads')
const { files, credit, batchBytes } = workerData
const flags = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW
let batch = []
let bytes = 0
let first = 0
const send = () => {
  const buffer = new ArrayBuffer(bytes)
  const view = new Uint8Array(buffer)
  let at = 0
  for (const part of batch) { view.set(part, at); at += part.length }
  Atomics.sub(credit, 0, bytes)
  parentPort.postMessage({ first, count: batch.length, buffer }, [buffer])
  first += batch.length
  batch = []
  bytes = 0
}
for (let i = 0; i < files.length; i++) {
  const file = files[i]
  while (Atomics.load(credit, 0) <= 0) Atomics.wait(credit, 0, Atomics.load(credit, 0), 1000)
  let fd
  try {
    fd = fs.openSync(file.source, flags)
  } catch (error) {
    if (batch.length) send()
    parentPort.postMessage({ failed: i, why: error.message })
    return
  }
  let why
  try {
    const info = fs.fstatSync(fd)
    if (!info.isFile() || (file.dev !== undefined && (info.dev !== file.dev || info.ino !== file.ino)))
      why = 'it is no longer the file that was listed'
    else if (info.size !== file.size)
      why = file.size + ' bytes expected, ' + info.size + ' found'
    else {
      const content = Buffer.allocUnsafe(file.size)
      let read = 0
      while (read < file.size) {
        const n = fs.readSync(fd, content, read, file.size - read, read)
        if (n === 0) break
        read += n
      }
      if (read !== file.size) why = file.size + ' bytes expected, ' + read + ' found'
      else { batch.push(content); bytes += content.length }
    }
  } catch (error) {
    why = error.message
  } finally {
    fs.closeSync(fd)
  }
  if (why !== undefined) {
    if (batch.length) send()
    parentPort.postMessage({ failed: i, why })
    return
  }
  if (bytes >= workerData.batchBytes || batch.length >= 4096) send()
}
if (batch.length) send()
})()
`

interface Batch {
  first: number
  count: number
  buffer: ArrayBuffer
}

/**
 * Reads the small files of a layer on another thread, ahead of the tar stream, in its order: the
 * per-file system calls (open, stat, read, close) run on the second core while this one builds
 * headers, hashes and compresses. `content(i)` hands each file's bytes over in order.
 */
export class ReadAhead {
  private readonly worker: Worker
  private readonly credit = new Int32Array(new SharedArrayBuffer(4))
  private readonly batches: Batch[] = []
  private failure?: { index: number; why: string }
  private ended?: Error
  private waiting?: () => void
  private current?: { view: Uint8Array; offset: number; left: number }
  private next = 0

  constructor(private readonly files: readonly SmallFile[]) {
    Atomics.store(this.credit, 0, aheadBytes)
    this.worker = new Worker(readerSource, {
      eval: true,
      workerData: {
        files: files.map(f => ({
          source: f.source,
          size: f.size,
          dev: f.identity?.dev,
          ino: f.identity?.ino
        })),
        credit: this.credit,
        batchBytes
      }
    })
    this.worker.on(
      'message',
      (message: Batch | { failed: number; why: string }) => {
        if ('failed' in message)
          this.failure = { index: message.failed, why: message.why }
        else this.batches.push(message)
        this.wake()
      }
    )
    this.worker.on('error', error => {
      this.ended = error
      this.wake()
    })
    this.worker.on('exit', () => {
      this.ended ??= new Error('the file reader stopped early')
      this.wake()
    })
  }

  /**
   * The content of file `index` (asked for in order), or a failure naming why it could not be
   * read as listed.
   */
  async content(index: number): Promise<Buffer> {
    if (index !== this.next)
      throw new Error(
        `files are read in order: ${this.next} expected, not ${index}`
      )
    while (!this.current || this.current.left === 0) {
      const batch = this.batches.shift()
      if (batch) {
        this.current = {
          view: new Uint8Array(batch.buffer),
          offset: 0,
          left: batch.count
        }
        continue
      }
      if (this.failure?.index === index)
        throw new ReadFailure(this.files[index].source, this.failure.why)
      if (this.ended) throw this.ended
      await new Promise<void>(resolve => (this.waiting = resolve))
    }
    const size = this.files[index].size
    const { view, offset } = this.current
    const content = Buffer.from(view.buffer, view.byteOffset + offset, size)
    this.current.offset += size
    this.current.left--
    this.next++
    // The stream took these bytes: the reader may read as much again.
    Atomics.add(this.credit, 0, size)
    Atomics.notify(this.credit, 0)
    return content
  }

  /** Stops the reader (the stream ended or failed). */
  async close(): Promise<void> {
    await this.worker.terminate()
  }

  private wake(): void {
    const waiting = this.waiting
    this.waiting = undefined
    waiting?.()
  }
}

/** A file that could not be read as the walk listed it. */
export class ReadFailure extends Error {
  constructor(
    readonly source: string,
    why: string
  ) {
    super(
      `${source} changed while the layer was being written (${why}); nothing may change the sources while Imprint runs`
    )
    this.name = 'ReadFailure'
  }
}
