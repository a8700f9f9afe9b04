/**
 * Resumable uploads (tus 1.0: core, creation, creation-with-upload, termination, expiration, checksum) at
 * /api/v1/uploads, served by @tus/server over the ZKEB data store. Koa authenticates and rate-limits as for
 * every route, then hands the raw request to @tus/server (no body parser ever touches it).
 * SECURITY: bodies are ciphertext and Upload-Metadata carries signatures and wrapped keys; none is logged.
 */
import * as O from 'fp-ts/Option'
import { Server } from '@tus/server'
import { NodeRequest, sendNodeResponse } from 'srvx/node'
import { defaultSettings } from '../../../application/settings'
import type { Caller } from '../../../application/context'
import type { Sha256Hex } from '../../../domain/ids'
import { invalidInput } from '../error-response'
import { type AppContext, callerOf } from '../http-types'
import { sendError } from '../respond'
import { apiStyleTusAnswer } from '../tus/tus-answer'
import { TusFailure, tusOwnErrorCode } from '../tus/tus-errors'
import { uncopiedBody } from '../tus/tus-body'
import { type TusRequest, tusRequests } from '../tus/tus-request'
import { ZkebTusStore } from '../tus/zkeb-tus-store'
import { type ApiRouter, authenticated, type RouteDeps, streamSlot } from './route-kit'

export const uploadsPath = '/api/v1/uploads'

/** `sha256 <base64 of 32 bytes>` as hex; Left for any other algorithm or a malformed digest. */
const parseChecksum = (header: string): O.Option<Sha256Hex> | 'invalid' => {
  if (header === '') return O.none
  const match = /^sha256 ([A-Za-z0-9+/]{43}=)$/.exec(header.trim())
  if (match === null) return 'invalid'
  return O.some(Buffer.from(match[1]!, 'base64').toString('hex') as Sha256Hex)
}

/**
 * The PATCH that completes an upload finishes the backup after its body arrived: every part is read back, hashed
 * and written into the backup's blob, which for gigabytes takes minutes with no byte on the socket. The socket
 * idle timeout exists to end clients that stall, not a server that works, so it is off from the body's end until
 * the answer is sent, then back to what it was (keep-alive connections still close on their own timer).
 */
const keepSocketWhileServerWorks = (ctx: AppContext): void => {
  const socket = ctx.req.socket
  const idleTimeoutMs = socket.timeout ?? 0
  ctx.req.once('end', () => socket.setTimeout(0))
  ctx.res.once('close', () => {
    if (!socket.destroyed) socket.setTimeout(idleTimeoutMs)
  })
}

export const registerUploadRoutes = (router: ApiRouter, deps: RouteDeps): void => {
  const tus = new Server({
    path: uploadsPath,
    datastore: new ZkebTusStore({
      useCases: deps.useCases,
      logger: deps.logger,
      uploadExpirySeconds: deps.limits.uploadExpirySeconds ?? defaultSettings.uploadExpirySeconds,
    }),
    maxSize: deps.limits.maxUploadBytes,
    relativeLocation: true,
    // Offsets are compare-and-set in PostgreSQL, so this per-process lock only spares wasted writes.
    // A failure's own headers (api-v1: a 503 comes with Retry-After), set before @tus/server writes its answer.
    onResponseError: (_request, error) => {
      if (error instanceof TusFailure) tusRequests.getStore()?.addAnswerHeaders(error.headers)
      return undefined
    },
  })

  /**
   * What `tus.handle` does (srvx's request over Node's, answered by srvx), except that a body is read without
   * the copy of every piece srvx's own makes (tus-body.ts).
   */
  const handle = async (ctx: AppContext) => {
    const request = new NodeRequest({ req: ctx.req, res: ctx.res })
    if (ctx.method === 'PATCH' || ctx.method === 'POST') {
      let body: ReadableStream<Uint8Array> | undefined
      Object.defineProperty(request, 'body', { get: () => (body ??= uncopiedBody(ctx.req)) })
    }
    const answer = await tus.handleWeb(request)
    await sendNodeResponse(
      ctx.res,
      await apiStyleTusAnswer(answer, ctx.state.requestId, deps.limits.maxUploadBytes),
    )
  }

  const handOver = async (ctx: AppContext, caller: Caller | undefined) => {
    const checksum = parseChecksum(ctx.get('Upload-Checksum'))
    if (checksum === 'invalid') return sendError(ctx, invalidInput(['Upload-Checksum']))
    ctx.respond = false
    ctx.res.setHeader('Tus-Checksum-Algorithm', 'sha256')
    if (caller === undefined) return handle(ctx)
    const request: TusRequest = {
      caller,
      checksum,
      addAnswerHeaders: (headers) => {
        for (const [name, value] of Object.entries(headers)) ctx.res.setHeader(name, value)
      },
    }
    if (ctx.method === 'PATCH') keepSocketWhileServerWorks(ctx)
    await tusRequests.run(request, () => handle(ctx))
    // Already sent by @tus/server; this body only names the error code for the access log and metrics.
    if (ctx.res.statusCode >= 400)
      ctx.body = { error: { code: request.errorCode ?? tusOwnErrorCode(ctx.res.statusCode) } }
  }
  const upload = `${uploadsPath}/:uploadId`
  const handOverOwn = (ctx: AppContext) => handOver(ctx, callerOf(ctx))
  const own = [...authenticated(deps), handOverOwn] as const
  // A creation may carry a first part of the body (creation-with-upload): both take a stream slot.
  const streamed = [...authenticated(deps), streamSlot(deps), handOverOwn] as const

  // Discovery (OPTIONS) needs no account; everything else acts on the caller's own uploads.
  router.options(uploadsPath, (ctx) => handOver(ctx, undefined))
  router.options(upload, (ctx) => handOver(ctx, undefined))
  router.post(uploadsPath, ...streamed)
  router.head(upload, ...own)
  router.patch(upload, ...streamed)
  router.delete(upload, ...own)
}
