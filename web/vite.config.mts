/**
 * Builds the web app into web/dist, which the Koa server serves from the API's origin (adapters/http).
 * Everything is bundled (the SDK and its crypto included), nothing is inlined into HTML, so the page runs
 * under a CSP without 'unsafe-inline'.
 */
import { defineConfig } from 'vite'

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  // esbuild/oxc read jsx and jsxImportSource (preact) from web/tsconfig.json.
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No data: URLs: the CSP allows images and fonts from 'self' only.
    assetsInlineLimit: 0,
    // The polyfill is for browsers without modulepreload; every supported browser has it.
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
    // One bundle: the SDK, fp-ts/io-ts and OPAQUE's WebAssembly (inlined by its package) are most of it.
    chunkSizeWarningLimit: 800,
  },
})
