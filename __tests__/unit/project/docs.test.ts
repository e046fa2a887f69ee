import { readFileSync } from 'node:fs'
import { describe, expect, it } from '@jest/globals'
import { parse } from 'yaml'
import { inputDefaults, inputNames } from '../../../src/inputs'

interface ActionYaml {
  inputs: Record<
    string,
    { description: string; default?: string; required?: boolean }
  >
  outputs: Record<string, { description: string }>
  runs: { using: string; main: string }
}

const action = parse(readFileSync('action.yml', 'utf8')) as ActionYaml
const readme = readFileSync('README.md', 'utf8')

/** The first cell of every row of the README table under a heading, split on ", ". */
function tableNames(heading: string): string[] {
  const section = readme.split(`\n## ${heading}\n`)[1].split('\n## ')[0]
  return section
    .split('\n')
    .filter(line => line.startsWith('| `'))
    .flatMap(line => line.split('|')[1].split(','))
    .map(cell => cell.trim().replace(/`/g, ''))
}

describe('action.yml, README and code agree', () => {
  it('runs on node24 from the committed bundle', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })

  it('declares exactly the inputs the code reads, each described', () => {
    expect(Object.keys(action.inputs).sort()).toEqual([...inputNames].sort())
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(`${name}: ${input.description ?? ''}`.length).toBeGreaterThan(
        name.length + 20
      )
    }
  })

  it('uses the same defaults in action.yml and the code', () => {
    for (const [name, value] of Object.entries(inputDefaults)) {
      expect([name, action.inputs[name]?.default]).toEqual([name, value])
    }
  })

  it('lists every input and output in the README tables', () => {
    expect(tableNames('Inputs').sort()).toEqual(
      Object.keys(action.inputs).sort()
    )
    expect(tableNames('Outputs').sort()).toEqual(
      Object.keys(action.outputs).sort()
    )
  })
})
