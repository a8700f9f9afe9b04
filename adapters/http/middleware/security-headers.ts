import type { AppMiddleware } from '../http-types'

/** An API never renders HTML: nothing may be framed, sniffed, referred or loaded from its responses. */
const apiHeaders: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'Cross-Origin-Resource-Policy': 'same-origin',
}

const apiHeaderEntries = Object.entries(apiHeaders)

const setApiHeaders = (ctx: Parameters<AppMiddleware>[0]): void => {
  for (const [name, value] of apiHeaderEntries) ctx.set(name, value)
}

/**
 * Sets the security headers before the route runs, for answers written past Koa (tus writes its own), and
 * again after it, so an error response that reset headers still gets them. JSON is never cached (it carries
 * tokens and key bundles); routes that set their own Cache-Control (content downloads, revalidated by ETag)
 * keep it.
 */
export const securityHeadersMiddleware = (): AppMiddleware => async (ctx, next) => {
  setApiHeaders(ctx)
  ctx.set('Cache-Control', 'no-store')
  try {
    await next()
  } finally {
    setApiHeaders(ctx)
    if (ctx.response.headers['cache-control'] === undefined) ctx.set('Cache-Control', 'no-store')
  }
}
