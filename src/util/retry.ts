/**
 * One retry policy for everything that talks to a server we do not control (registries, git
 * remotes): exponential backoff with jitter, honouring a wait the server asked for.
 */
export interface RetryPolicy {
  attempts: number
  baseDelayMs: number
  factor: number
  maxDelayMs: number
  jitter: number
}

export const defaultRetryPolicy: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 500,
  factor: 3,
  maxDelayMs: 30_000,
  jitter: 0.2
}

const sleep = (ms: number): Promise<void> =>
  new Promise(resolve => setTimeout(resolve, ms))

/** An error that names how long to wait before trying again (HTTP `Retry-After`). */
export interface AsksToWait {
  retryAfterMs?: number
}

/** The wait before attempt `attempt + 1`: the server's `Retry-After` if it gave one, else backoff. */
export function delayFor(
  error: unknown,
  attempt: number,
  policy: RetryPolicy,
  random = Math.random
): number {
  const asked = (error as AsksToWait | undefined)?.retryAfterMs
  if (typeof asked === 'number') {
    // A server asking for an hour does not stall the job: capped at twice the longest backoff.
    return Math.min(asked, policy.maxDelayMs * 2)
  }
  const backoff = Math.min(
    policy.baseDelayMs * policy.factor ** attempt,
    policy.maxDelayMs
  )
  return Math.round(backoff * (1 + policy.jitter * (2 * random() - 1)))
}

/**
 * Runs `operation` until it succeeds, fails with an error `retryable` rejects, or runs out of
 * attempts; `onRetry` hears each failure that is tried again.
 */
export async function withRetries<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  retryable: (error: unknown) => boolean,
  onRetry: (error: unknown, delayMs: number, attempt: number) => void = () => {}
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation(attempt)
    } catch (error) {
      if (!retryable(error) || attempt + 1 >= policy.attempts) throw error
      const delay = delayFor(error, attempt, policy)
      onRetry(error, delay, attempt + 1)
      await sleep(delay)
    }
  }
}

/** The `onRetry` that says in the log what failed and when it is tried again. */
export function loggingRetries(log: {
  info(message: string): void
}): (error: unknown, delayMs: number) => void {
  return (error, delayMs) =>
    log.info(
      `${error instanceof Error ? error.message : String(error)}; retrying in ${(delayMs / 1000).toFixed(1)}s`
    )
}
