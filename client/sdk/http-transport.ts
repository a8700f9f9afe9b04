/**
 * Knows how one api-v1 request travels: bearer auth, a single token refresh on 401, retries of 429/503
 * honouring Retry-After (capped), and decoding of answers into typed values or a typed ApiError.
 * SECURITY: tokens live only in this closure and travel only in the Authorization header; nothing here logs.
 */
import * as E from 'fp-ts/Either'
import type * as t from 'io-ts'
import { badResponse, fail, networkError, type ApiError } from './errors'
import { ErrorBody, Tokens } from './wire'

/** The subset of `fetch` the SDK uses; tests and proxies may pass their own. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>

export type RetryPolicy = Readonly<{
  /** Attempts for one request, the first included (429/503 only; other failures are not retried). */
  maxAttempts: number
  /** Longest wait between attempts, whatever Retry-After says. */
  maxDelayMs: number
}>

export type TransportOptions = Readonly<{
  baseUrl: string
  fetch?: FetchLike
  retry?: Partial<RetryPolicy>
  /** Injected for tests; defaults to setTimeout. */
  sleep?: (ms: number) => Promise<void>
  /** Called with every new token pair (login, refresh), e.g. to persist the session. */
  onTokens?: (tokens: Tokens) => void
}>

export type RequestSpec = Readonly<{
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  path: string
  auth?: boolean
  json?: unknown
  /** A streamed body; a factory, so a retried attempt streams it again from the start. */
  body?: () => ReadableStream<Uint8Array>
  headers?: Readonly<Record<string, string>>
}>

export type Transport = Readonly<{
  send: (spec: RequestSpec) => Promise<Response>
  tokens: () => Tokens | undefined
  setTokens: (tokens: Tokens | undefined) => void
  /** Rotates the tokens now (e.g. an access token known to be expired); ApiError when the server refuses. */
  refresh: () => Promise<void>
}>

const defaultRetry: RetryPolicy = { maxAttempts: 4, maxDelayMs: 30_000 }
const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Retry-After as seconds or an HTTP date; absent or unreadable → a short growing backoff. */
export const retryDelayMs = (header: string | null, attempt: number, maxDelayMs: number): number => {
  const seconds = header === null ? NaN : Number(header)
  const fromDate = header === null ? NaN : Date.parse(header) - Date.now()
  const wanted = Number.isFinite(seconds)
    ? seconds * 1000
    : Number.isFinite(fromDate)
      ? fromDate
      : 500 * attempt
  return Math.min(Math.max(0, wanted), maxDelayMs)
}

const readJson = async (res: Response): Promise<unknown> => {
  try {
    return await res.json()
  } catch {
    return fail(badResponse(res.status, 'the body is not JSON'))
  }
}

/** The typed api-v1 error of a non-2xx answer, or BadResponse when the body is not one. */
export const apiErrorOf = async (res: Response): Promise<ApiError> => {
  const body = ErrorBody.decode(await readJson(res))
  if (E.isLeft(body)) return fail(badResponse(res.status, 'not an api-v1 error body'))
  const { code, message, retryable, requestId, details } = body.right.error
  return {
    _tag: 'ApiError',
    status: res.status,
    code,
    message,
    retryable,
    requestId,
    ...(details === undefined ? {} : { details }),
  }
}

/** Decodes a successful answer with `codec`; any other status becomes ApiError (or BadResponse). */
export const expectJson = async <A>(res: Response, ok: number, codec: t.Type<A, unknown>): Promise<A> => {
  if (res.status !== ok) return fail(await apiErrorOf(res))
  const decoded = codec.decode(await readJson(res))
  return E.isRight(decoded) ? decoded.right : fail(badResponse(res.status, 'unexpected JSON shape'))
}

/** Expects a body-less success (204 and friends). */
export const expectStatus = async (res: Response, ok: number): Promise<void> => {
  if (res.status !== ok) return fail(await apiErrorOf(res))
  await res.body?.cancel()
}

export const createTransport = (options: TransportOptions): Transport => {
  const fetchFn = options.fetch ?? ((url, init) => globalThis.fetch(url, init))
  const retry = { ...defaultRetry, ...options.retry }
  const sleep = options.sleep ?? defaultSleep
  const base = options.baseUrl.replace(/\/+$/, '')
  let current: Tokens | undefined
  let refreshing: Promise<void> | undefined

  const setTokens = (tokens: Tokens | undefined): void => {
    current = tokens
    if (tokens !== undefined) options.onTokens?.(tokens)
  }

  const once = async (spec: RequestSpec): Promise<Response> => {
    const headers: Record<string, string> = { Accept: 'application/json', ...spec.headers }
    if (spec.json !== undefined) headers['Content-Type'] = 'application/json'
    if (spec.auth === true && current !== undefined) headers.Authorization = `Bearer ${current.accessToken}`
    const init: RequestInit = { method: spec.method, headers }
    if (spec.json !== undefined) init.body = JSON.stringify(spec.json)
    // redirect 'error': to follow a redirect, Node's fetch clones the request and tees a streamed body, and
    // the branch kept for the redirect is never read, so it holds the whole upload in memory
    // (nodejs/undici#4058). A streamed body cannot be replayed after a redirect anyway.
    if (spec.body !== undefined) Object.assign(init, { body: spec.body(), duplex: 'half', redirect: 'error' })
    try {
      return await fetchFn(base + spec.path, init)
    } catch (cause) {
      return fail(networkError(cause instanceof Error ? cause.message : 'fetch failed'))
    }
  }

  /** One refresh for however many requests hit 401 at once. */
  const refresh = (): Promise<void> =>
    (refreshing ??= (async () => {
      const refreshToken = current?.refreshToken
      if (refreshToken === undefined) return
      const res = await withRetries({
        method: 'POST',
        path: '/api/v1/sessions/refresh',
        json: { refreshToken },
      })
      setTokens(await expectJson(res, 200, Tokens))
    })().finally(() => (refreshing = undefined)))

  const withRetries = async (spec: RequestSpec): Promise<Response> => {
    for (let attempt = 1; ; attempt++) {
      const res = await once(spec)
      if ((res.status !== 429 && res.status !== 503) || attempt >= retry.maxAttempts) return res
      await res.body?.cancel()
      await sleep(retryDelayMs(res.headers.get('Retry-After'), attempt, retry.maxDelayMs))
    }
  }

  const send = async (spec: RequestSpec): Promise<Response> => {
    const res = await withRetries(spec)
    if (res.status !== 401 || spec.auth !== true || current === undefined) return res
    await res.body?.cancel()
    await refresh()
    return withRetries(spec)
  }

  return { send, tokens: () => current, setTokens, refresh }
}
