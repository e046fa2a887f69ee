import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  copyFileSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { requireTool } from './tools'

/**
 * Makes a tiny base image from Debian's static busybox with umoci (not our code) and pushes it
 * to `target` with skopeo. Returns the digest skopeo reports.
 */
export async function pushBusyboxBase(
  target: string,
  options: {
    /** Directories the base has, with their own mode and owner (as umoci records them). */
    directories?: { path: string; mode: number; uid: number; gid: number }[]
    /** Files the base has, by path (an OS's package database, its os-release). */
    files?: Record<string, string>
  } = {}
): Promise<string> {
  const run = promisify(execFile)
  const umoci = requireTool('umoci')
  const skopeo = requireTool('skopeo')
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find(p => {
    try {
      execFileSync('test', ['-x', p])
      return true
    } catch {
      return false
    }
  })
  if (!busybox)
    throw new Error('busybox-static is not installed; run script/setup')
  const dir = mkdtempSync(join(tmpdir(), 'imprint-base-'))
  try {
    const layout = join(dir, 'layout')
    const bundle = join(dir, 'bundle')
    execFileSync(umoci, ['init', '--layout', layout])
    execFileSync(umoci, ['new', '--image', `${layout}:latest`])
    execFileSync(umoci, ['unpack', '--image', `${layout}:latest`, bundle])
    mkdirSync(join(bundle, 'rootfs', 'bin'), { recursive: true })
    copyFileSync(busybox, join(bundle, 'rootfs', 'bin', 'busybox'))
    for (const applet of ['sh', 'echo', 'cat', 'ls', 'stat', 'id'])
      symlinkSync('busybox', join(bundle, 'rootfs', 'bin', applet))
    for (const dir of options.directories ?? []) {
      const path = join(bundle, 'rootfs', dir.path)
      mkdirSync(path, { recursive: true })
      chmodSync(path, dir.mode)
      chownSync(path, dir.uid, dir.gid)
    }
    for (const [path, content] of Object.entries(options.files ?? {})) {
      mkdirSync(dirname(join(bundle, 'rootfs', path)), { recursive: true })
      writeFileSync(join(bundle, 'rootfs', path), content)
    }
    execFileSync(umoci, ['repack', '--image', `${layout}:latest`, bundle])
    execFileSync(umoci, [
      'config',
      '--image',
      `${layout}:latest`,
      '--config.env',
      'PATH=/bin',
      '--config.cmd',
      '/bin/sh'
    ])
    // Asynchronous: the registry's token service may live in this very process.
    await run(skopeo, [
      'copy',
      '--quiet',
      '--dest-tls-verify=false',
      `oci:${layout}:latest`,
      `docker://${target}`
    ])
    const { stdout } = await run(skopeo, [
      'inspect',
      '--tls-verify=false',
      '--format',
      '{{.Digest}}',
      `docker://${target}`
    ])
    return stdout.trim()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
