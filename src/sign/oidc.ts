import type { IdentityProvider } from '@sigstore/sign'
import { fetchText } from '../util/fetch-text'
import { defaultRetryPolicy, withRetries } from '../util/retry'

/**
 * Whether the job can get an OIDC token for Fulcio (`permissions: id-token: write`). Kept apart
 * from the keyless signer: every run's inputs ask it (`sign: auto`), without loading sigstore-js.
 */
export function hasIdentityToken(env: NodeJS.ProcessEnv): boolean {
  return Boolean(
    (env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) ||
    env.SIGSTORE_ID_TOKEN
  )
}

/**
 * The job's OIDC token for Fulcio (audience `sigstore`), as sigstore-js's CI provider gets it,
 * but from the environment the front end was given: `$SIGSTORE_ID_TOKEN`, else GitHub's token
 * service (`permissions: id-token: write`).
 */
export function oidcTokenProvider(env: NodeJS.ProcessEnv): IdentityProvider {
  return {
    getToken: async () => {
      if (env.SIGSTORE_ID_TOKEN) return env.SIGSTORE_ID_TOKEN
      const url = env.ACTIONS_ID_TOKEN_REQUEST_URL
      const token = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
      if (!url || !token)
        throw new Error(
          'no OIDC token: give the job "permissions: id-token: write"'
        )
      const request = new URL(url)
      request.searchParams.set('audience', 'sigstore')
      // As sigstore-js does: a failed answer (or none) is asked for again, twice.
      const res = await withRetries(
        async () => {
          const answer = await fetchText(
            request,
            {
              headers: {
                accept: 'application/json',
                authorization: `Bearer ${token}`
              }
            },
            { timeoutMs: 30_000, maxBytes: 64 * 1024 }
          )
          if (answer.status >= 500 || answer.status === 429)
            throw new Error(`the OIDC token service answered ${answer.status}`)
          return answer
        },
        { ...defaultRetryPolicy, attempts: 3 },
        () => true
      )
      let value: unknown
      try {
        value = (JSON.parse(res.text) as { value?: unknown }).value
      } catch {
        value = undefined
      }
      if (!res.ok || typeof value !== 'string' || value === '')
        throw new Error(
          `the OIDC token service answered ${res.status} without a token`
        )
      return value
    }
  }
}
