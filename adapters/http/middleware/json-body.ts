import type { IncomingMessage } from 'node:http'
import type { AppMiddleware } from '../http-types'
import { invalidJson, payloadTooLarge, unsupportedMediaType } from '../error-response'
import { sendError } from '../respond'

type BodyRead = { readonly kind: 'ok'; readonly bytes: Buffer } | { readonly kind: 'too-large' }

/**
 * Reads at most `maxBytes` of the request. Past the limit it stops keeping bytes and lets the rest drain
 * (destroying the request would reset the socket before the 413 is written).
 */
const readLimited = (req: IncomingMessage, maxBytes: number): Promise<BodyRead> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size <= maxBytes) return void chunks.push(chunk)
      req.off('data', onData).off('end', onEnd).off('error', onError)
      req.resume()
      resolve({ kind: 'too-large' })
    }
    const onEnd = (): void => resolve({ kind: 'ok', bytes: Buffer.concat(chunks) })
    const onError = (err: Error): void => reject(err)
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
 * JSON routes only (uploads are streams): `application/json` or 415, at most `maxBytes` or 413, valid
 * UTF-8 JSON or 400 `invalid-json`. The parsed value lands in `ctx.state.jsonBody`, still undecoded.
 */
export const jsonBodyMiddleware =
  (maxBytes: number): AppMiddleware =>
  async (ctx, next) => {
    if (ctx.request.is('application/json') !== 'application/json') {
      ctx.set('Connection', 'close')
      return sendError(ctx, unsupportedMediaType('application/json'))
    }
    const declared = ctx.request.length
    const read = declared !== undefined && declared > maxBytes ? null : await readLimited(ctx.req, maxBytes)
    if (read === null || read.kind === 'too-large') {
      ctx.set('Connection', 'close')
      return sendError(ctx, payloadTooLarge(maxBytes))
    }
    const parsed = parseJson(read.bytes)
    if (!parsed.ok) return sendError(ctx, invalidJson)
    ctx.state.jsonBody = parsed.value
    await next()
  }
