/**
 * One HTTP exchange with a service we do not control (GitHub's API, its OIDC token service),
 * bounded: the whole exchange within `timeoutMs`, the answer at most `maxBytes`. Redirects are
 * followed as fetch does (it drops `authorization` on the way to another origin).
 */
export async function fetchText(
  url: string | URL,
  init: RequestInit,
  bounds: { timeoutMs: number; maxBytes: number }
): Promise<{ status: number; ok: boolean; text: string }> {
  const res = await fetch(url, {
    ...init,
    signal: AbortSignal.timeout(bounds.timeoutMs)
  })
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of res.body ?? []) {
    total += chunk.length
    if (total > bounds.maxBytes) {
      await res.body?.cancel().catch(() => {})
      throw new Error(`the answer is larger than ${bounds.maxBytes} bytes`)
    }
    chunks.push(chunk)
  }
  return {
    status: res.status,
    ok: res.ok,
    text: Buffer.concat(chunks).toString('utf8')
  }
}
