/**
 * The app's one door to the SDK (and through it the crypto core): everything the app needs, bundled by Vite.
 * transport.ts, the browser fetch this door hands the SDK, reaches client/sdk directly.
 */
export * from '../../client/sdk'
import type { ClientOptions } from '../../client/sdk'
import { browserFetch } from './transport'

/** The API shares the app's origin, so no URL is configured and CSP's connect-src 'self' suffices. */
export const clientOptions = (): ClientOptions => ({ baseUrl: window.location.origin, fetch: browserFetch })
