#!/usr/bin/env node
// The `zkeb-admin` executable: registers tsx's CommonJS hook so the TypeScript sources run as they are, then runs
// the composition root's admin main (adapters/composition/admin-main.ts), which wires the CLI to the adapters.
'use strict'
require('tsx/cjs/api').register()
const { main } = require('../composition/admin-main.ts')

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code
  },
  () => {
    process.stderr.write('zkeb-admin: unexpected error\n')
    process.exitCode = 1
  },
)
