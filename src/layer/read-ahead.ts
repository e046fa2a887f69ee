import { Worker } from 'node:worker_threads'

/** A small file to read whole: where it is, and what the walk saw of it. */
export interface SmallFile {
  source: string
  size: number
  identity?: { dev: number; ino: number }
}

/**
 * The memory files are read into, shared with the reader and reused round and round: at most this
 * much content is read ahead of the tar stream. Allocating per file or per batch instead cost a
 * page fault per 4 KiB read (150,000 for a 170 MB tree), more than the reads themselves. It holds
 * two of the largest files read here, so a file that does not fit at the end always fits at the
 * start once what is before it was taken.
 */
const ringBytes = 8 * 1024 * 1024

/** The largest file read ahead: half the ring (see above). */
export const largestReadAhead = ringBytes / 2

// The shared counters (Int32 slots).
/** Bytes of the ring not holding content the stream has yet to take. */
const FREE = 0
/** Files read so far, in order (the reader's progress). */
const READ = 1

/**
 * A stream waiting for files is woken once this much (content and a header's worth per file) was
 * read since it last was: waking it per file cost more than reading a small file.
 */
const tellEvery = 256 * 1024

/** Where each file goes in the ring: after the one before, or at the start when it does not fit. */
function placement(size: number, at: number): { offset: number; skip: number } {
  return at + size > ringBytes
    ? { offset: 0, skip: ringBytes - at }
    : { offset: at, skip: 0 }
}

/**
 * The reader thread: opens each file without following a link, checks it is the file the walk
 * listed (device, inode, regular, same size) and reads it whole into the ring, in order, never more
 * than the ring's free bytes ahead of the stream. `placement` is written twice (here and above), as
 * a worker's source cannot import it; the test of a full ring keeps both in step.
 */
const readerSource = `;(() => {
const fs = require('node:fs')
const { parentPort } = require('node:worker_threads')
// Started before its files are known (see warmReader): the work comes as one message.
parentPort.once('message', ({ sources, sizes, identities, ring, counters, ringBytes }) => {
const paths = sources.split('\\0')
const memory = Buffer.from(ring)
const flags = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW
const FREE = ${FREE}, READ = ${READ}
let at = 0
// A stream waiting for files is woken once per batch, not per file (each wake is a task).
let untold = 0
const tellEvery = ${tellEvery}
const tell = () => {
  untold = 0
  Atomics.notify(counters, READ)
}
const fail = (index, why) => {
  tell()
  parentPort.postMessage({ index, why })
}
for (let i = 0; i < paths.length; i++) {
  const size = sizes[i]
  const skip = at + size > ringBytes ? ringBytes - at : 0
  const need = skip + size
  for (let free = Atomics.load(counters, FREE); free < need; free = Atomics.load(counters, FREE)) {
    tell()
    Atomics.wait(counters, FREE, free, 1000)
  }
  if (skip) at = 0
  let fd
  try {
    fd = fs.openSync(paths[i], flags)
  } catch (error) {
    return fail(i, error.message)
  }
  let why
  try {
    const info = fs.fstatSync(fd)
    const dev = identities[2 * i], ino = identities[2 * i + 1]
    if (!info.isFile() || (dev >= 0 && (info.dev !== dev || info.ino !== ino)))
      why = 'it is no longer the file that was listed'
    else if (info.size !== size)
      why = size + ' bytes expected, ' + info.size + ' found'
    else {
      let read = 0
      while (read < size) {
        const n = fs.readSync(fd, memory, at + read, size - read, read)
        if (n === 0) break
        read += n
      }
      if (read !== size) why = size + ' bytes expected, ' + read + ' found'
    }
  } catch (error) {
    why = error.message
  } finally {
    fs.closeSync(fd)
  }
  if (why !== undefined) return fail(i, why)
  at += size
  Atomics.sub(counters, FREE, need)
  Atomics.store(counters, READ, i + 1)
  untold += size + 512
  if (untold >= tellEvery) tell()
}
tell()
})
})()
`

function startReader(): Worker {
  return new Worker(readerSource, { eval: true })
}

/** A reader thread started ahead of need, waiting for its files (see `warmReader`). */
let warm: Worker | undefined

/**
 * Starts a reader thread now, for the first layer of many small files to take: a thread takes
 * 50–80 ms to start, which the run otherwise waits for once its sources are listed. It waits
 * without keeping the process alive, and is ended (`dropWarmReader`) once the listings show no
 * layer needs it, or when the run ends.
 */
export function warmReader(): void {
  if (warm) return
  warm = startReader()
  warm.unref()
  // A thread that fails to start is no worse than none: the layer starts its own.
  const forget = (): void => {
    warm = undefined
  }
  warm.once('error', forget)
  warm.once('exit', forget)
}

/** Ends the warm reader thread, if no layer took it (it holds 19 MB). */
export function dropWarmReader(): void {
  const worker = takeWarmReader()
  // Still starting, it may yet report an error: heard here, as nobody else listens.
  worker?.on('error', () => {})
  void worker?.terminate()
}

function takeWarmReader(): Worker | undefined {
  const worker = warm
  warm = undefined
  worker?.removeAllListeners()
  return worker
}

/**
 * Reads the small files of a layer on another thread, ahead of the tar stream, in its order: the
 * per-file system calls (open, stat, read, close) run on the second core while this one builds
 * headers, hashes and compresses. `content(i)` hands each file's bytes over in order, as a view of
 * the shared ring that stays valid until the next call: the caller copies or hashes it first.
 */
export class ReadAhead {
  private readonly worker: Worker
  private readonly ring = new SharedArrayBuffer(ringBytes)
  private readonly counters = new Int32Array(new SharedArrayBuffer(8))
  private failure?: { index: number; why: string }
  private ended?: Error
  private next = 0
  private at = 0
  /** Ring bytes of the file handed out last, given back on the next call. */
  private lent = 0

  constructor(private readonly files: readonly SmallFile[]) {
    for (const file of files)
      if (file.size > largestReadAhead)
        throw new Error(
          `${file.source}: ${file.size} bytes is too large to read ahead`
        )
    Atomics.store(this.counters, FREE, ringBytes)
    // Plain arrays and one string: copied to the thread at once, not one object per file.
    const identities = new Float64Array(files.length * 2).fill(-1)
    files.forEach((file, i) => {
      if (file.identity) {
        identities[2 * i] = file.identity.dev
        identities[2 * i + 1] = file.identity.ino
      }
    })
    this.worker = takeWarmReader() ?? startReader()
    this.worker.ref()
    this.worker.postMessage({
      sources: files.map(f => f.source).join('\0'),
      sizes: Float64Array.from(files, f => f.size),
      identities,
      ring: this.ring,
      counters: this.counters,
      ringBytes
    })
    this.worker.on('message', (failure: { index: number; why: string }) => {
      this.failure = failure
      this.wake()
    })
    this.worker.on('error', error => this.end(error))
    this.worker.on('exit', () =>
      this.end(new Error('the file reader stopped early'))
    )
  }

  /**
   * The content of file `index` (asked for in order), or a failure naming why it could not be
   * read as listed. The bytes are lent: the next call reuses them.
   */
  async content(index: number): Promise<Buffer> {
    if (index !== this.next)
      throw new Error(
        `files are read in order: ${this.next} expected, not ${index}`
      )
    this.giveBack()
    while (Atomics.load(this.counters, READ) <= index) {
      if (this.failure?.index === index)
        throw new ReadFailure(this.files[index].source, this.failure.why)
      if (this.ended) throw this.ended
      const waiting = Atomics.waitAsync(
        this.counters,
        READ,
        Atomics.load(this.counters, READ),
        1000
      )
      if (waiting.async) await waiting.value
    }
    const { size } = this.files[index]
    const { offset, skip } = placement(size, this.at)
    this.at = offset + size
    this.lent = skip + size
    this.next++
    return Buffer.from(this.ring, offset, size)
  }

  /** Stops the reader (the stream ended or failed). */
  async close(): Promise<void> {
    await this.worker.terminate()
  }

  /** The stream is done with the file lent last: the reader may fill its bytes again. */
  private giveBack(): void {
    if (this.lent === 0) return
    Atomics.add(this.counters, FREE, this.lent)
    Atomics.notify(this.counters, FREE)
    this.lent = 0
  }

  private end(error: Error): void {
    this.ended ??= error
    this.wake()
  }

  /** Wakes a `content` waiting for a file that will not come. */
  private wake(): void {
    Atomics.notify(this.counters, READ)
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
