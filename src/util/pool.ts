/** Maps `items` through `fn` with at most `jobs` calls in flight; results keep the input order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  jobs: number,
  fn: (item: T, index: number) => Promise<R>
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  let failed = false
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++
      try {
        results[i] = await fn(items[i], i)
      } catch (error) {
        failed = true
        throw error
      }
    }
  }
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker)
  )
  return results
}

/** Runs what it is given with at most `jobs` calls in flight, the rest waiting their turn. */
export function limiter(jobs: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0
  const waiting: (() => void)[] = []
  return async fn => {
    // A finishing call hands its slot straight to the next waiter, so none can slip in between.
    if (active >= jobs) await new Promise<void>(go => waiting.push(go))
    else active++
    try {
      return await fn()
    } finally {
      const next = waiting.shift()
      if (next) next()
      else active--
    }
  }
}
