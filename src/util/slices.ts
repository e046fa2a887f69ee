/**
 * Long synchronous work (listing sources, writing an archive from files read ahead) runs in
 * slices: after `sliceMs` it lets the event loop run, so that registry answers, git and the
 * decompression of a previous blob go on beside it. One clock for every caller: several
 * listings or archives at once still hold the thread for one slice, not one slice each.
 */
const sliceMs = 5
let sliceStarted = performance.now()

/** Lets other work run when this thread has been held for a slice; else returns at once. */
export async function letOthersRun(signal?: AbortSignal): Promise<void> {
  if (performance.now() - sliceStarted <= sliceMs) return
  await new Promise(setImmediate)
  signal?.throwIfAborted()
  sliceStarted = performance.now()
}
