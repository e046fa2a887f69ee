import js from '@eslint/js'
import jest from 'eslint-plugin-jest'
import prettier from 'eslint-config-prettier'
import tseslint from 'typescript-eslint'

/** Layers may only depend downwards: index/cli → main → pipeline → {build, sinks} → {registry, oci, util}. */
const noActionsIn = (files, message) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: [{ group: ['@actions/*'], message }] }
    ]
  }
})

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
  noActionsIn(
    [
      'src/oci/**',
      'src/layer/**',
      'src/registry/**',
      'src/sinks/**',
      'src/pipeline/**',
      'src/util/**'
    ],
    'The core is free of @actions/*: only main.ts and src/cache/ talk to the runner.'
  ),
  {
    files: ['src/oci/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@actions/*',
                '../registry/*',
                '../pipeline/*',
                '../sinks/*',
                '../layer/*'
              ],
              message: 'oci/ is the pure model: it imports only util/.'
            }
          ]
        }
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
