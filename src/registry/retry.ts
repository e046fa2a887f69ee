import { isTemporary, RegistryError } from './errors'

/** How often and how patiently a temporary failure is retried. */
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

export const sleep = (ms: number): Promise<void> =>
  new Promise(resolve => setTimeout(resolve, ms))

/** The wait before attempt `attempt + 1`: the registry's `Retry-After` if it gave one, else backoff. */
export function delayFor(
  error: unknown,
  attempt: number,
  policy: RetryPolicy,
  random = Math.random
): number {
  if (error instanceof RegistryError && error.retryAfterMs !== undefined) {
    return Math.min(error.retryAfterMs, policy.maxDelayMs * 2)
  }
  const backoff = Math.min(
    policy.baseDelayMs * policy.factor ** attempt,
    policy.maxDelayMs
  )
  return Math.round(backoff * (1 + policy.jitter * (2 * random() - 1)))
}

/** Runs `operation` until it succeeds, fails permanently, or runs out of attempts. */
export async function withRetries<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  onRetry: (error: unknown, delayMs: number, attempt: number) => void = () => {}
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation(attempt)
    } catch (error) {
      if (!isTemporary(error) || attempt + 1 >= policy.attempts) throw error
      const delay = delayFor(error, attempt, policy)
      onRetry(error, delay, attempt + 1)
      await sleep(delay)
    }
  }
}
