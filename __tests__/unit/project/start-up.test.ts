import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from '@jest/globals'

/**
 * The large libraries only some runs need. Stages load them with `await import()` (ncc gives
 * each its own chunk), so a build without signing, SBOM or manifests neither reads nor compiles
 * them; one static import on the way from an entry point would put them back in every start.
 */
const onDemand = [
  '@sigstore/',
  '@cyclonedx/',
  'yaml',
  '@actions/cache',
  '@actions/glob'
]

/** What a module imports statically: type-only imports are erased, `import()` is left out. */
function staticImports(file: string): string[] {
  const source = readFileSync(file, 'utf8')
  return [
    ...source.matchAll(
      /^(?:import|export)\s+(?!type\s)[^'"]*?from\s+'([^']+)'/gm
    )
  ].map(match => match[1])
}

/** A package's name, or a module's file: `./x` is x.ts or x/index.ts, `./x.json` itself. */
function resolveModule(from: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier
  const path = resolve(dirname(from), specifier)
  if (/\.json$/.test(path)) return path
  return existsSync(`${path}.ts`) ? `${path}.ts` : join(path, 'index.ts')
}

/** Each on-demand package reached statically from `entry`, as the chain of imports to it. */
function onDemandChains(entry: string): string[] {
  const cameFrom = new Map<string, string | undefined>([[entry, undefined]])
  const queue = [entry]
  const chains: string[] = []
  while (queue.length) {
    const file = queue.shift() as string
    for (const specifier of staticImports(file)) {
      const target = resolveModule(file, specifier)
      if (cameFrom.has(target)) continue
      cameFrom.set(target, file)
      if (target.endsWith('.ts')) queue.push(target)
      else if (onDemand.some(p => target === p || target.startsWith(p))) {
        const chain = [target]
        for (let at = cameFrom.get(target); at; at = cameFrom.get(at))
          chain.unshift(relative('src', at))
        chains.push(chain.join(' → '))
      }
    }
  }
  return chains
}

describe('start-up', () => {
  it.each(['src/index.ts', 'src/cli.ts'])(
    '%s imports none of the on-demand libraries statically',
    entry => {
      expect(onDemandChains(entry)).toEqual([])
    }
  )
})
