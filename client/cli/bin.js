#!/usr/bin/env node
// The `zkeb` executable. It runs client/cli/main.ts compiled into one CommonJS file by esbuild (the compiler tsx
// itself uses, so the code means the same), kept in node_modules/.cache/zkeb-cli and rebuilt whenever a file it
// was built from changes (size or mtime). Loading that file natively takes a fraction of what passing some 70
// TypeScript modules through tsx's hooks takes at every start, and a command's start is what a user waits for.
// When the bundle cannot be built or kept (no esbuild, read-only install), or ZKEB_CLI_TSX=1, it runs the
// sources through tsx instead. ZKEB_CLI_CACHE names another cache folder (tests).
'use strict'
const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..', '..')
const cacheDir = process.env.ZKEB_CLI_CACHE || path.join(root, 'node_modules', '.cache', 'zkeb-cli')
const bundlePath = path.join(cacheDir, 'main.js')
const manifestPath = path.join(cacheDir, 'manifest.json')

const stamp = (file) => {
  const s = fs.statSync(file)
  return `${s.size}:${s.mtimeMs}`
}

/** What else a bundle depends on: this file, the TypeScript settings, the Node.js major version it targets. */
const buildKey = () =>
  [process.versions.node.split('.')[0], stamp(__filename), stamp(path.join(root, 'tsconfig.json'))].join('|')

const isFresh = () => {
  try {
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'))
    return (
      manifest.key === buildKey() &&
      Object.entries(manifest.inputs).every(([file, was]) => stamp(path.join(root, file)) === was)
    )
  } catch {
    return false
  }
}

/** Writes `bytes` to `file` through a temporary sibling, so a concurrent start never reads half a file. */
const writeAtomically = (file, bytes) => {
  const temp = `${file}.${process.pid}.tmp`
  fs.writeFileSync(temp, bytes)
  fs.renameSync(temp, file)
}

/**
 * The packages left external (loaded natively from node_modules): every dependency but @noble/hashes. That one is
 * ESM-only, and the first ES module a process requires starts Node's ESM loader (~20 ms); in the bundle it costs
 * nothing.
 */
const externalPackages = () =>
  Object.keys(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).dependencies)
    .filter((name) => name !== '@noble/hashes')
    .flatMap((name) => [name, `${name}/*`])

const build = () => {
  const esbuildPath = require.resolve('esbuild', {
    paths: [path.dirname(require.resolve('tsx/package.json'))],
  })
  const key = buildKey()
  const result = require(esbuildPath).buildSync({
    absWorkingDir: root,
    entryPoints: [path.join(__dirname, 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    external: externalPackages(),
    outfile: bundlePath,
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'silent',
  })
  const inputs = Object.fromEntries(
    Object.keys(result.metafile.inputs).map((file) => [file, stamp(path.join(root, file))]),
  )
  fs.mkdirSync(cacheDir, { recursive: true })
  for (const output of result.outputFiles) writeAtomically(output.path, output.contents)
  writeAtomically(manifestPath, JSON.stringify({ key, inputs }))
}

const loadMain = () => {
  if (process.env.ZKEB_CLI_TSX !== '1')
    try {
      if (!isFresh()) build()
      return require(bundlePath).main
    } catch {
      // Fall through to tsx: slower to start, same behaviour.
    }
  // Loaded natively first: through tsx's CommonJS transform this ESM-only hash runs about 15 times slower (every
  // call to an imported helper goes through a getter), which made hashing a 1 GiB push take minutes. Later
  // requires of it, from the SDK, get this cached module.
  require('@noble/hashes/sha2.js')
  require('tsx/cjs/api').register()
  return require('./main.ts').main
}

loadMain()(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  () => {
    process.stderr.write('zkeb: unexpected error\n')
    process.exitCode = 1
  },
)
