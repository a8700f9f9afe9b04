// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import importX from 'eslint-plugin-import-x'

/** The pure rings import only fp-ts, io-ts and relative paths. Everything else (frameworks, I/O, node:*) is an adapter's. */
const onlyPureImports = {
  regex: '^(?!(fp-ts|io-ts)(/|$)|\\.{1,2}/)',
  message: 'domain/ and application/ import only fp-ts, io-ts and inner rings.',
}

/** Ambient effects the pure rings must get through ports instead. */
const ambientEffects = [
  {
    selector: "NewExpression[callee.name='Date'][arguments.length=0]",
    message: 'Time comes from the Clock port.',
  },
  {
    selector: "MemberExpression[object.name='Date'][property.name='now']",
    message: 'Time comes from the Clock port.',
  },
  {
    selector: "MemberExpression[object.name='Math'][property.name='random']",
    message: 'Randomness comes from the IdGenerator port.',
  },
]

/** The hexagon's dependency rule: adapters → application → domain, never outward. */
const ringZones = [
  { target: './domain', from: './application', message: 'domain/ knows no use case.' },
  { target: './domain', from: './adapters', message: 'domain/ knows no adapter.' },
  { target: './application', from: './adapters', message: 'application/ knows no adapter.' },
]

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'data/**',
      'coverage/**',
      'web/dist/**',
      'test-results/**',
      'eslint.config.mjs',
      'migrations/**/*.js',
      // A CommonJS shim outside the TypeScript project: it only hands over to client/cli/main.ts.
      'client/cli/bin.js',
      'adapters/admin-cli/bin.js',
    ],
  },
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
    },
  },
  {
    files: ['domain/**/*.ts', 'application/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            onlyPureImports,
            { group: ['**/adapters/*', '**/adapters'], message: 'Dependencies point inward.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'crypto', message: 'Randomness and hashing come from ports.' },
        { name: 'process', message: 'Configuration arrives through the composition root.' },
        { name: 'fetch', message: 'I/O belongs in adapters.' },
        { name: 'setTimeout', message: 'Time comes from the Clock port.' },
        { name: 'setInterval', message: 'Time comes from the Clock port.' },
        { name: 'Buffer', message: 'The pure rings work on Uint8Array.' },
      ],
      'no-restricted-syntax': ['error', ...ambientEffects],
    },
  },
  {
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            onlyPureImports,
            {
              group: ['**/application/*', '**/application', '**/adapters/*', '**/adapters'],
              message: 'domain/ imports only itself.',
            },
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
