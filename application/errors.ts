/**
 * Failures of the ports themselves, as opposed to the domain's rules.
 * `cause` is for operators' logs only: it is never serialised to a client.
 */
export type Unavailable = {
  readonly _tag: 'Unavailable'
  readonly dependency: string
  readonly cause: unknown
}
export type Conflict = { readonly _tag: 'Conflict'; readonly what: string }
export type RateLimited = { readonly _tag: 'RateLimited'; readonly retryAfterSeconds: number }

export const unavailable =
  (dependency: string) =>
  (cause: unknown): Unavailable => ({ _tag: 'Unavailable', dependency, cause })
export const conflict = (what: string): Conflict => ({ _tag: 'Conflict', what })
export const rateLimited = (retryAfterSeconds: number): RateLimited => ({
  _tag: 'RateLimited',
  retryAfterSeconds,
})
