import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { requireTool } from './tools'

/**
 * Pulls `reference` from a plain-HTTP registry and runs it in a real runtime: Podman with runc
 * (this sandbox's recipe: crun and the default ulimits fail here), storage in a temporary
 * directory so nothing is left behind. Returns what the container printed.
 */
export function podmanRun(reference: string, args: string[]): string {
  const podman = requireTool('podman')
  requireTool('runc')
  const dir = mkdtempSync(join(tmpdir(), 'imprint-podman-'))
  const common = [
    '--root',
    join(dir, 'storage'),
    '--runroot',
    join(dir, 'run'),
    '--storage-driver',
    'vfs',
    '--cgroup-manager',
    'cgroupfs',
    '--events-backend',
    'none'
  ]
  try {
    execFileSync(
      podman,
      [...common, 'pull', '--quiet', '--tls-verify=false', reference],
      { stdio: ['ignore', 'ignore', 'pipe'] }
    )
    return execFileSync(
      podman,
      [
        ...common,
        'run',
        '--rm',
        '--runtime',
        'runc',
        '--network',
        'none',
        '--ulimit',
        'nofile=20000:20000',
        '--ulimit',
        'nproc=32768:32768',
        reference,
        ...args
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
