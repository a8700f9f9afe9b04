// @ts-check
import { readdirSync } from 'node:fs'
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import importX, { createNodeResolver } from 'eslint-plugin-import-x'

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

/**
 * Sibling adapters stay apart: each folder below adapters/ (http, persistence, cache, blobs, crypto,
 * observability, in-memory, admin-cli, and any added later) shares with the others only through the ports in
 * application/; adapters/composition, the one place that knows every adapter, wires them together.
 */
const adapterFolders = readdirSync(new URL('./adapters', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'composition')
  .map((entry) => entry.name)
const adapterZones = adapterFolders.map((folder) => ({
  target: `./adapters/${folder}`,
  from: './adapters',
  except: [`./${folder}`],
  message: `adapters/${folder} imports no sibling adapter; share through a port or wire it in adapters/composition.`,
}))

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
    // The import rules must resolve extensionless TypeScript paths: without this resolver they skip every
    // relative import, and the zones and the cycle check pass whatever the code does.
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.mts', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx', '.mts'] },
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.tsx', '.mts', '.js', '.mjs', '.cjs', '.json'] }),
      ],
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-definitions': ['error', 'type'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-restricted-paths': ['error', { zones: [...ringZones, ...adapterZones] }],
      // Runtime cycles only (the rule skips `import type`); test/architecture/import-cycles.test.ts also
      // refuses cycles through type imports. Packages are not walked: they cannot import this project.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
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
