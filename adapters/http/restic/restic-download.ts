/**
 * HEAD and GET of one restic object: HEAD answers the size in Content-Length (restic reads it from there);
 * GET streams the object, or one range of it with 206 and an exact Content-Length (restic ≥ 0.17 rejects
 * a ranged read whose length differs from the range it asked for).
 */
import * as E from 'fp-ts/Either'
import type { Readable } from 'node:stream'
import { unavailable } from '../../../application/errors'
import type { ResticCaller } from '../../../application/context'
import type { ResticUseCases } from '../../../application/restic'
import type { ReadResticObjectOutput } from '../../../application/restic'
import { rangeNotSatisfiable } from '../../../domain/errors'
import type { ResticObject, ResticObjectRef } from '../../../domain/restic'
import type { AppContext, HttpLogger } from '../http-types'
import { resolveRange } from '../range'
import { startStream } from '../routes/backups-content'
import { replyFailure } from './restic-replies'

const octetStream = 'application/octet-stream'

type Deps = Readonly<{ useCases: ResticUseCases; logger: HttpLogger }>

const sendContent = async (ctx: AppContext, logger: HttpLogger, out: ReadResticObjectOutput) => {
  let body: Readable
  try {
    body = await startStream(out.content)
  } catch (cause) {
    return replyFailure(ctx, logger, unavailable('blobs')(cause))
  }
  const size = out.object.sizeBytes
  const { start, end } = out.range ?? { start: 0, end: size - 1 }
  ctx.status = out.range === null ? 200 : 206
  ctx.type = octetStream
  ctx.set('Accept-Ranges', 'bytes')
  ctx.body = body
  ctx.length = Math.max(0, end - start + 1)
  if (out.range !== null) ctx.set('Content-Range', `bytes ${start}-${end}/${size}`)
}

const answer = async (ctx: AppContext, deps: Deps, caller: ResticCaller, object: ResticObject) => {
  if (ctx.method === 'HEAD') {
    ctx.status = 200
    ctx.type = octetStream
    ctx.length = object.sizeBytes
    return
  }
  // An empty object has no byte to range over: it is served whole.
  const wanted =
    object.sizeBytes === 0
      ? { kind: 'whole' as const }
      : resolveRange(ctx.get('Range') || undefined, object.sizeBytes)
  if (wanted.kind === 'unsatisfiable')
    return replyFailure(ctx, deps.logger, rangeNotSatisfiable(object.sizeBytes))
  const input = { ref: object, ...(wanted.kind === 'partial' ? { range: wanted.range } : {}) }
  const read = await deps.useCases.readResticObject(input, caller)()
  if (E.isLeft(read)) return replyFailure(ctx, deps.logger, read.left)
  await sendContent(ctx, deps.logger, read.right)
}

/** Reads the record first: its size answers HEAD and resolves open and suffix ranges. */
export const readObject = async (
  ctx: AppContext,
  deps: Deps,
  caller: ResticCaller,
  ref: ResticObjectRef,
): Promise<void> => {
  const found = await deps.useCases.findResticObject(ref, caller)()
  if (E.isLeft(found)) return replyFailure(ctx, deps.logger, found.left)
  await answer(ctx, deps, caller, found.right)
}
