// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import importX from 'eslint-plugin-import-x'

/** Bare packages the pure rings may use. Everything else (frameworks, I/O, node:*) belongs in adapters/. */
const pureRingPackages = ['!fp-ts', '!fp-ts/*', '!io-ts', '!io-ts/*', '!./*', '!../*', '!../../*', '!../../../*']

/** The hexagon's dependency rule: adapters → application → domain, never outward. */
const ringZones = [
  { target: './domain', from: './application', message: 'domain/ knows no use case.' },
  { target: './domain', from: './adapters', message: 'domain/ knows no adapter.' },
  { target: './application', from: './adapters', message: 'application/ knows no adapter.' },
]

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'coverage/**', 'eslint.config.mjs', 'migrations/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-definitions': ['error', 'type'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-restricted-paths': ['error', { zones: ringZones }],
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'inversify', message: 'inversify belongs in adapters/composition only.' }] },
      ],
    },
  },
  {
    files: ['domain/**/*.ts', 'application/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['*', ...pureRingPackages], message: 'domain/ and application/ import only fp-ts, io-ts and inner rings.' },
            { group: ['**/adapters/*', '**/adapters'], message: 'Dependencies point inward.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'Time comes from the Clock port.' },
        { name: 'crypto', message: 'Randomness and hashing come from ports.' },
        { name: 'process', message: 'Configuration arrives through the composition root.' },
        { name: 'fetch', message: 'I/O belongs in adapters.' },
        { name: 'setTimeout', message: 'Time comes from the Clock port.' },
      ],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use the IdGenerator port.' }],
    },
  },
  {
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['*', ...pureRingPackages], message: 'domain/ imports only fp-ts, io-ts and itself.' },
            { group: ['**/application/*', '**/application', '**/adapters/*', '**/adapters'], message: 'domain/ imports only itself.' },
          ],
        },
      ],
    },
  },
  {
    files: ['adapters/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'client/**/*.ts'],
    ignores: ['adapters/composition/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'inversify', message: 'inversify belongs in adapters/composition only.' }] },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
)
