#!/usr/bin/env node
// The `zkeb-admin` executable: registers tsx's CommonJS hook so the TypeScript sources run as they are, then runs
// the composition root's admin main (adapters/composition/admin-main.ts), which wires the CLI to the adapters.
// It exits explicitly with the command's code once stdout and stderr are flushed: the embedded PostgreSQL
// package hooks `beforeExit` and would otherwise end the process with 0 whatever the command returned.
'use strict'
require('tsx/cjs/api').register()
const { main } = require('../composition/admin-main.ts')

const exit = (code) => process.stdout.write('', () => process.stderr.write('', () => process.exit(code)))

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stdin: process.stdin,
}).then(exit, () => {
  process.stderr.write('zkeb-admin: unexpected error\n')
  exit(1)
})
