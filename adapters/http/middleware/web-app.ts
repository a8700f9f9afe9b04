/**
 * Serves the web app's files from the same origin as api-v1, with headers of their own: the API's
 * `default-src 'none'` would forbid the app from running, so HTML gets a strict policy that allows only
 * this origin (no inline script or style, no third party, connect-src 'self'). WebAssembly (OPAQUE's
 * Argon2 and ristretto255) needs 'wasm-unsafe-eval', which allows compiling wasm but not JS eval.
 * Placed before the API's security-headers middleware: a hit answers here, a miss goes on to the API.
 */
import type { AppMiddleware } from '../http-types'
import type { WebAppFile, WebAppFiles } from '../web-app-files'

export const webAppContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

const commonHeaders: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
}

const setHeaders = (set: (name: string, value: string) => void, file: WebAppFile): void => {
  for (const [name, value] of Object.entries(commonHeaders)) set(name, value)
  set('Content-Type', file.contentType)
  set('ETag', file.etag)
  // index.html is revalidated on every load, so a deploy is picked up at once; it names hashed assets.
  set('Cache-Control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
  set(
    'Content-Security-Policy',
    file.contentType.startsWith('text/html')
      ? webAppContentSecurityPolicy
      : "default-src 'none'; frame-ancestors 'none'",
  )
}

/** GET/HEAD of a known file outside /api; everything else passes through untouched. */
export const webAppMiddleware =
  (files: WebAppFiles): AppMiddleware =>
  async (ctx, next) => {
    const file = ctx.method === 'GET' || ctx.method === 'HEAD' ? files.get(ctx.path) : undefined
    if (file === undefined || ctx.path.startsWith('/api/')) {
      await next()
      return
    }
    setHeaders((name, value) => ctx.set(name, value), file)
    if (ctx.get('If-None-Match') === file.etag) {
      ctx.status = 304
      return
    }
    ctx.status = 200
    ctx.body = file.body
  }
