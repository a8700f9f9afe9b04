#!/usr/bin/env node
// The `zkeb` executable: registers tsx's CommonJS hook so the TypeScript sources run as they are, then runs main.
'use strict'
require('tsx/cjs/api').register()
const { main } = require('./main.ts')

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  () => {
    process.stderr.write('zkeb: unexpected error\n')
    process.exitCode = 1
  },
)
