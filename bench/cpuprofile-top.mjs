#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`, e.g. `npm run bench -- --cpu-prof DIR`):
// self time per function and per source file, and inclusive time of the functions that matter.
// Usage: node bench/cpuprofile-top.mjs FILE.cpuprofile [--top N]
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

const { values, positionals } = parseArgs({
  options: { top: { type: 'string', default: '25' } },
  allowPositionals: true
})
if (positionals.length !== 1) {
  console.error(
    'usage: node bench/cpuprofile-top.mjs FILE.cpuprofile [--top N]'
  )
  process.exit(2)
}
const top = Number(values.top)
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'))

// Sample i lasted timeDeltas[i + 1]; the last sample's length is unknown (counted as 0).
const selfUs = new Map()
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]
  const dt = profile.timeDeltas[i + 1] ?? 0
  selfUs.set(id, (selfUs.get(id) ?? 0) + dt)
}
const nodes = new Map(profile.nodes.map(n => [n.id, n]))
const parent = new Map()
for (const n of profile.nodes)
  for (const c of n.children ?? []) parent.set(c, n.id)
const total = [...selfUs.values()].reduce((a, b) => a + b, 0)

const where = frame => {
  const url = frame.url.replace(/^file:\/\//, '')
  const short = url.includes('/dist/')
    ? url.slice(url.indexOf('/dist/') + 1)
    : url.split('/').slice(-2).join('/')
  return url ? `${short}:${frame.lineNumber + 1}` : ''
}
const nameOf = frame =>
  `${frame.functionName || '(anonymous)'}${frame.url ? ` ${where(frame)}` : ''}`

const bySelf = new Map()
const byFile = new Map()
const inclusive = new Map()
for (const [id, us] of selfUs) {
  const frame = nodes.get(id).callFrame
  const key = nameOf(frame)
  bySelf.set(key, (bySelf.get(key) ?? 0) + us)
  const file = frame.url
    ? where(frame).replace(/:\d+$/, '')
    : `(${frame.functionName})`
  byFile.set(file, (byFile.get(file) ?? 0) + us)
  // Inclusive: every distinct function on the stack gets the sample once.
  const seen = new Set()
  for (let n = id; n !== undefined; n = parent.get(n)) {
    const k = nameOf(nodes.get(n).callFrame)
    if (seen.has(k)) continue
    seen.add(k)
    inclusive.set(k, (inclusive.get(k) ?? 0) + us)
  }
}

const show = (title, map) => {
  console.log(`\n${title}`)
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(
      `${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`
    )
}
console.log(
  `${positionals[0]}: ${(total / 1e6).toFixed(2)} s sampled on the main thread`
)
show('Self time by function', bySelf)
show('Self time by file', byFile)
show(
  'Inclusive time by function',
  new Map(
    [...inclusive].filter(
      ([k]) => !k.startsWith('(root)') && !k.startsWith('(program)')
    )
  )
)
