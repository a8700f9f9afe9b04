/**
 * Failures of the ports themselves, as opposed to the domain's rules.
 * `cause` is for operators' logs only: it is never serialised to a client.
 */
export type Unavailable = {
  readonly _tag: 'Unavailable'
  readonly dependency: string
  readonly cause: unknown
  /**
   * The dependency refused for lack of room (a full disk or volume quota): nothing was stored, and a retry helps
   * only once an operator frees space (the HTTP edge answers 507 instead of 503).
   */
  readonly full?: true
}
export type Conflict = { readonly _tag: 'Conflict'; readonly what: string }
export type RateLimited = { readonly _tag: 'RateLimited'; readonly retryAfterSeconds: number }

export const unavailable =
  (dependency: string) =>
  (cause: unknown): Unavailable => ({ _tag: 'Unavailable', dependency, cause })
export const storageFull =
  (dependency: string) =>
  (cause: unknown): Unavailable => ({ _tag: 'Unavailable', dependency, cause, full: true })
export const conflict = (what: string): Conflict => ({ _tag: 'Conflict', what })
export const rateLimited = (retryAfterSeconds: number): RateLimited => ({
  _tag: 'RateLimited',
  retryAfterSeconds,
})
