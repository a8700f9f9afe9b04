import type { IncomingMessage } from 'node:http'
import type { AppMiddleware } from '../http-types'
import { invalidJson, payloadTooLarge, requestTimeout, unsupportedMediaType } from '../error-response'
import { sendError } from '../respond'

/** Time to receive a whole JSON body (at most 64 KiB by default) once its headers arrived. */
export const defaultJsonBodyTimeoutMs = 10_000

type BodyRead =
  | { readonly kind: 'ok'; readonly bytes: Buffer }
  | { readonly kind: 'too-large' }
  | { readonly kind: 'timed-out' }

/**
 * Reads at most `maxBytes` of the request within `timeoutMs`. Past the limit it stops keeping bytes and lets
 * the rest drain (destroying the request would reset the socket before the 413 is written); past the time it
 * stops reading. A client that goes away mid-body rejects with the request's own error (a client abort, see
 * error-handler.ts).
 */
const readLimited = (req: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<BodyRead> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const settle = (then: () => void): void => {
      clearTimeout(timer)
      req.off('data', onData).off('end', onEnd).off('error', onError)
      then()
    }
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size <= maxBytes) return void chunks.push(chunk)
      settle(() => resolve({ kind: 'too-large' }))
      req.resume()
    }
    const onEnd = (): void => settle(() => resolve({ kind: 'ok', bytes: Buffer.concat(chunks) }))
    const onError = (err: Error): void => settle(() => reject(err))
    const timer = setTimeout(() => {
      settle(() => resolve({ kind: 'timed-out' }))
      req.pause()
    }, timeoutMs)
    req.on('data', onData).on('end', onEnd).on('error', onError)
  })

const parseJson = (bytes: Buffer): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) }
  } catch {
    return { ok: false }
  }
}

/**
 * JSON routes only (uploads are streams): `application/json` or 415, at most `maxBytes` or 413, whole within
 * `timeoutMs` or 408 `request-timeout` (SECURITY: a body that trickles in would otherwise hold a connection
 * until the socket idle timeout, on routes that need no login), valid UTF-8 JSON or 400 `invalid-json`. The
 * parsed value lands in `ctx.state.jsonBody`, still undecoded. Every refusal before the body's end closes
 * the connection, so the unread rest is never parsed as a request.
 */
export const jsonBodyMiddleware =
  (maxBytes: number, timeoutMs: number = defaultJsonBodyTimeoutMs): AppMiddleware =>
  async (ctx, next) => {
    if (ctx.request.is('application/json') !== 'application/json') {
      ctx.set('Connection', 'close')
      return sendError(ctx, unsupportedMediaType('application/json'))
    }
    const declared = ctx.request.length
    const read =
      declared !== undefined && declared > maxBytes ? null : await readLimited(ctx.req, maxBytes, timeoutMs)
    if (read === null || read.kind !== 'ok') {
      ctx.set('Connection', 'close')
      return sendError(ctx, read?.kind === 'timed-out' ? requestTimeout : payloadTooLarge(maxBytes))
    }
    const parsed = parseJson(read.bytes)
    if (!parsed.ok) return sendError(ctx, invalidJson)
    ctx.state.jsonBody = parsed.value
    await next()
  }
