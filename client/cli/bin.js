#!/usr/bin/env node
// The `zkeb` executable: registers tsx's CommonJS hook so the TypeScript sources run as they are, then runs main.
'use strict'
// Loaded natively first: through tsx's CommonJS transform this ESM-only hash runs about 15 times slower (every
// call to an imported helper goes through a getter), which made hashing a 1 GiB push take minutes. Later requires
// of it, from the SDK, get this cached module.
require('@noble/hashes/sha2.js')
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
