import { readFileSync } from 'node:fs'

const trustedRootMediaType = 'application/vnd.dev.sigstore.trustedroot+json'

/**
 * A Sigstore `trusted_root.json` (the format of cosign's `--trusted-root`), read and checked
 * without sigstore-js: the inputs read `$SIGSTORE_TRUSTED_ROOT` in every run, and only a run that
 * uses it loads sigstore-js to make trust material of it (`trustMaterialOf`, ./trusted-root).
 */
export interface TrustedRootFile {
  file: string
  json: unknown
}

/** Throws unless `json` is a trusted root (by its media type) naming a certificate authority. */
export function checkTrustedRoot(json: unknown): void {
  const root = json as {
    mediaType?: unknown
    certificateAuthorities?: unknown
  } | null
  const mediaType = root?.mediaType
  if (
    typeof mediaType !== 'string' ||
    !mediaType.startsWith(trustedRootMediaType)
  )
    throw new Error(
      `not a Sigstore trusted root (mediaType ${JSON.stringify(mediaType)}, want ${trustedRootMediaType};version=0.1)`
    )
  // sigstore-js reads anything but a list as no authority at all.
  const authorities = root?.certificateAuthorities
  if (!Array.isArray(authorities) || authorities.length === 0)
    throw new Error('the trusted root names no certificate authority')
}

/** Reads a `trusted_root.json` file; the message says which file and what is wrong with it. */
export function readTrustedRootFile(file: string): TrustedRootFile {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new Error(
      `cannot read the trusted root "${file}" (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`
    )
  }
  try {
    const json: unknown = JSON.parse(text)
    checkTrustedRoot(json)
    return { file, json }
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`)
  }
}
