import { describe, expect, it } from '@jest/globals'
import type { Artifact } from '../../../src/oci/image'
import { Repository } from '../../../src/oci/reference'
import type { Registries } from '../../../src/registry/registries'
import type { BuildContext } from '../../../src/pipeline/context'
import { sign } from '../../../src/pipeline/sign'
import { generateKeyPair, loadSigningKey } from '../../../src/sign/keys'
import { silentLogger } from '../../../src/util/log'

describe('sign stage', () => {
  it('refuses an SBOM too large to be read back before anything is signed or written', async () => {
    const calls: string[] = []
    const registries = {
      client: () => {
        calls.push('client')
        throw new Error('no registry call expected')
      }
    } as unknown as Registries
    const pair = generateKeyPair('pw')
    const digest = `sha256:${'b'.repeat(64)}` as const
    // 49 MiB of statement is over 64 MiB once base64 in an envelope.
    const statement = Buffer.alloc(49 * 1024 * 1024, 0x20)
    await expect(
      sign(
        {} as Artifact,
        { name: '', platforms: [] },
        {
          sign: 'key',
          signAuto: false,
          signingKey: loadSigningKey(pair.privateKeyPem, 'pw'),
          signRecursive: false,
          attest: true,
          sbom: true
        },
        {
          pushed: true,
          builtHere: true,
          repositories: [Repository.parse('registry.example/acme/app')],
          registries,
          context: { sourceDateEpoch: 0 } as BuildContext,
          sboms: new Map([[digest, statement]]),
          env: {},
          log: silentLogger
        }
      )
    ).rejects.toThrow(
      `the SBOM of ${digest} is 49.0 MiB as an in-toto statement, about 65.4 MiB once signed: over the 64.0 MiB attestations are read back with, so it cannot be attached; nothing was signed (sbom: false signs the image without it)`
    )
    expect(calls).toEqual([])
  })
})
