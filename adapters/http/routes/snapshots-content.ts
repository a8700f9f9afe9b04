/**
 * Snapshots' binary routes (protocol v1.1 §8): a pack upload streamed into the blob store (never buffered), a
 * read of objects streamed out of the packs with its length known first, the create body read with bounds,
 * and a snapshot's refs.
 * SECURITY: bodies are ciphertext, keyed ids and signatures; none is logged, and refusals name paths only.
 */
import * as E from 'fp-ts/Either'
import type { Readable } from 'node:stream'
import { unavailable } from '../../../application/errors'
import { PutPackInput, ReadObjectsInput, SnapshotRef } from '../../../application/snapshots'
import { packTooLarge } from '../../../domain/snapshot-errors'
import { MAX_PACK_BYTES } from '../../../domain/snapshot-pack'
import { type HttpError, invalidInput, payloadTooLarge, unsupportedMediaType } from '../error-response'
import { type AppContext, callerOf, type HttpLogger, pathParam } from '../http-types'
import { closeIfUnread } from '../middleware/unread-body'
import { runTask, sendApplicationError, sendError, sendJson } from '../respond'
import { decodeExact } from '../decode'
import { startStream } from './backups-content'
import { type ApiRouter, authenticated, decodeOrReply, type RouteDeps, streamSlot } from './route-kit'
import { idListBody } from './snapshots'
import { MAX_CREATE_HEADER_BYTES, readCreateSnapshotBody } from './snapshots-body'
import { toPackDto, toSnapshotDto } from './snapshots-dto'

const octetStream = 'application/octet-stream'
const snapshotBody = 'application/vnd.zkeb.snapshot'
const objectsBody = 'application/vnd.zkeb.objects'
/** 4 + header + 2,000,000 refs of 32 bytes. */
const maxCreateBodyBytes = 4 + MAX_CREATE_HEADER_BYTES + 2_000_000 * 32

const lengthRequired: HttpError = {
  status: 411,
  code: 'length-required',
  message: 'A pack upload needs a Content-Length.',
  retryable: false,
}

/** Answers `error` before the body was read, without leaving its rest to be parsed as the next request. */
const refuseUnread = async (ctx: AppContext, error: HttpError): Promise<void> => {
  await closeIfUnread(ctx)
  sendError(ctx, error)
}

/** Streams `content` as the answer, `length` bytes; a store that fails before the first byte is a 503. */
const sendStream = async (
  ctx: AppContext,
  logger: HttpLogger,
  type: string,
  length: number,
  content: AsyncIterable<Uint8Array>,
): Promise<void> => {
  let body: Readable
  try {
    body = await startStream(content)
  } catch (cause) {
    return sendApplicationError(ctx, logger, unavailable('blobs')(cause))
  }
  ctx.status = 200
  ctx.type = type
  ctx.set('Cache-Control', 'private, no-store')
  ctx.body = body
  ctx.length = length
}

const putPack = (deps: RouteDeps) => async (ctx: AppContext) => {
  if (ctx.request.is(octetStream) !== octetStream) return refuseUnread(ctx, unsupportedMediaType(octetStream))
  const declared = ctx.request.length
  if (declared === undefined) return refuseUnread(ctx, lengthRequired)
  if (declared > MAX_PACK_BYTES) {
    await closeIfUnread(ctx)
    return sendApplicationError(ctx, deps.logger, packTooLarge(MAX_PACK_BYTES))
  }
  const input = decodeExact(PutPackInput, {
    packId: pathParam(ctx, 'packId'),
    contentSha256: ctx.get('ZKEB-Content-SHA256') || undefined,
    contentLength: declared,
  })
  if (E.isLeft(input)) {
    const paths = input.left.map((p) => (p === 'contentSha256' ? 'ZKEB-Content-SHA256' : p))
    return refuseUnread(ctx, invalidInput(paths))
  }
  await runTask(ctx, deps.logger, deps.useCases.putPack(input.right, ctx.req, callerOf(ctx)), (out) =>
    sendJson(ctx, out.created ? 201 : 200, toPackDto(out)),
  )
  await closeIfUnread(ctx)
}

const readObjects = (deps: RouteDeps) => async (ctx: AppContext) => {
  const input = decodeOrReply(ctx, ReadObjectsInput, ctx.state.jsonBody)
  if (E.isLeft(input)) return
  await runTask(ctx, deps.logger, deps.useCases.readObjects(input.right, callerOf(ctx)), (out) =>
    sendStream(ctx, deps.logger, objectsBody, out.contentLength, out.content),
  )
}

const createSnapshot = (deps: RouteDeps) => async (ctx: AppContext) => {
  if (ctx.request.is(snapshotBody) !== snapshotBody)
    return refuseUnread(ctx, unsupportedMediaType(snapshotBody))
  const declared = ctx.request.length
  if (declared !== undefined && declared > maxCreateBodyBytes)
    return refuseUnread(ctx, payloadTooLarge(maxCreateBodyBytes))
  const input = await readCreateSnapshotBody(ctx.req)
  if (E.isLeft(input)) return refuseUnread(ctx, invalidInput(input.left))
  await runTask(ctx, deps.logger, deps.useCases.createSnapshot(input.right, callerOf(ctx)), (out) =>
    sendJson(ctx, out.created ? 201 : 200, toSnapshotDto(out.record)),
  )
}

const snapshotRefs = (deps: RouteDeps) => async (ctx: AppContext) => {
  const ref = decodeOrReply(ctx, SnapshotRef, { snapshotId: pathParam(ctx, 'snapshotId') })
  if (E.isLeft(ref)) return
  await runTask(ctx, deps.logger, deps.useCases.getSnapshotRefs(ref.right, callerOf(ctx)), (out) =>
    sendStream(ctx, deps.logger, octetStream, out.contentLength, out.content),
  )
}

export const registerSnapshotContentRoutes = (router: ApiRouter, deps: RouteDeps): void => {
  router.put('/api/v1/snapshot-packs/:packId', ...authenticated(deps), streamSlot(deps), putPack(deps))
  router.post(
    '/api/v1/snapshot-objects/read',
    ...authenticated(deps),
    streamSlot(deps),
    idListBody(deps),
    readObjects(deps),
  )
  router.post('/api/v1/snapshots', ...authenticated(deps), createSnapshot(deps))
  router.get(
    '/api/v1/snapshots/:snapshotId/refs',
    ...authenticated(deps),
    streamSlot(deps),
    snapshotRefs(deps),
  )
}
