import js from '@eslint/js'
import jest from 'eslint-plugin-jest'
import prettier from 'eslint-config-prettier'
import tseslint from 'typescript-eslint'

/**
 * Layers may only depend downwards (CONTRIBUTING.md, "Layout"): the front ends (index, main, cli)
 * → pipeline → inputs, report, sinks, sign, deploy, cache, layer → registry, git, github → oci →
 * util. `errors.ts` (the input errors) may be used anywhere. Each core folder lists what it may
 * import; anything else under src/ is refused.
 */
const folders = [
  'pipeline',
  'inputs',
  'report',
  'sinks',
  'sign',
  'deploy',
  'sbom',
  'cache',
  'layer',
  'registry',
  'git',
  'github',
  'oci',
  'util'
]
const mayImport = {
  pipeline: folders.filter(f => f !== 'pipeline'),
  inputs: ['layer', 'sign', 'deploy', 'oci', 'util'],
  report: ['sinks', 'sign', 'deploy', 'github', 'oci', 'util'],
  sinks: ['layer', 'registry', 'oci', 'util'],
  sign: ['registry', 'oci', 'util'],
  deploy: ['git', 'github', 'oci', 'util'],
  sbom: ['oci', 'util'],
  cache: ['oci', 'util'],
  layer: ['oci', 'util'],
  registry: ['oci', 'util'],
  git: ['util'],
  github: ['util'],
  oci: ['util'],
  util: []
}
const frontEnds = ['main', 'cli', 'front-end', 'index']
const layering = folders.map(folder => ({
  files: [`src/${folder}/**`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: [
              ...folders
                .filter(f => f !== folder && !mayImport[folder].includes(f))
                .flatMap(f => [
                  `../${f}`,
                  `../${f}/**`,
                  `../../${f}`,
                  `../../${f}/**`
                ]),
              ...frontEnds.flatMap(f => [`../${f}`, `../../${f}`]),
              // Only the front ends and the Actions cache store talk to the runner.
              ...(folder === 'cache' ? [] : ['@actions/*'])
            ],
            message: `src/${folder} may import only ${mayImport[folder].join(', ') || 'itself'} (and errors.ts): see the layering in CONTRIBUTING.md.`
          }
        ]
      }
    ]
  }
}))

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'out/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        URL: 'readonly'
      }
    }
  },
  {
    files: ['__tests__/**/*.ts'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      // Assertions inside helpers called from the tests count.
      'jest/expect-expect': [
        'error',
        { assertFunctionNames: ['expect', 'verify*'] }
      ]
    }
  },
  ...layering,
  {
    files: ['src/**/*.ts'],
    ignores: ['src/main.ts', 'src/cli.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['env', 'cwd', 'chdir'].map(property => ({
          object: 'process',
          property,
          message:
            'Only the front ends (main.ts, cli.ts) read the environment; pass what a stage needs (deps.env, the context).'
        }))
      ]
    }
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_' }
      ]
    }
  },
  prettier
)
