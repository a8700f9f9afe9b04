/**
 * Backup content: the streamed upload (never buffered) and the streamed download with ETag, conditional
 * requests and single byte ranges.
 * SECURITY: the body is ciphertext and the ZKEB-* headers are key material and signatures; none is logged.
 */
import type { IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'
import * as E from 'fp-ts/Either'
import { unavailable } from '../../../application/errors'
import { BackupRef, type DownloadBackupOutput } from '../../../application/backups'
import type { Backup } from '../../../domain/backup'
import { rangeNotSatisfiable } from '../../../domain/errors'
import { toBackupSummaryDto } from '../dto'
import { invalidInput, payloadTooLarge, unsupportedMediaType } from '../error-response'
import { type AppContext, callerOf, pathParam, type HttpLogger } from '../http-types'
import { matchesAnyEtag, type RangeRequest, resolveRange } from '../range'
import { runTask, sendApplicationError, sendError, sendJson } from '../respond'
import { readUploadInput } from '../upload-headers'
import { type ApiRouter, authenticated, decodeOrReply, type RouteDeps, streamSlot } from './route-kit'

const octetStream = 'application/octet-stream'

/** What is left of a body is read (and dropped) when the answer comes first, up to this size and this wait. */
const drainableBytes = 1024 * 1024
const drainableMs = 2000

/** Reads and drops the rest of the request; true when it ended within the size and time allowed. */
const drainRest = (req: IncomingMessage): Promise<boolean> =>
  new Promise((resolve) => {
    let seen = 0
    const stop = (ended: boolean) => {
      clearTimeout(timer)
      req.off('data', count).off('end', onEnd).off('error', onFail).off('close', onClose)
      if (!ended) req.pause()
      resolve(ended)
    }
    const count = (piece: Buffer) => {
      seen += piece.length
      if (seen > drainableBytes) stop(false)
    }
    const onEnd = () => stop(true)
    const onFail = () => stop(false)
    const onClose = () => stop(req.complete)
    const timer = setTimeout(() => stop(false), drainableMs)
    req.on('data', count).once('end', onEnd).once('error', onFail).once('close', onClose)
    req.resume()
  })

/**
 * An answer sent before the body was read must not let the unread rest be parsed as the next request. A small
 * rest is read and dropped first: closing a socket with unread bytes makes the kernel reset it, and a client
 * still sending then sees the reset instead of the answer (a refusal decided before a 1 KB body arrived did).
 * A large or slow rest ends the connection instead, rather than wait for it.
 */
const closeIfUnread = async (ctx: AppContext): Promise<void> => {
  if (ctx.req.complete) return
  const declared = ctx.request.length
  const small = declared === undefined || declared <= drainableBytes
  if (small && !ctx.req.destroyed && (await drainRest(ctx.req))) return
  ctx.set('Connection', 'close')
}

const upload = (deps: RouteDeps) => async (ctx: AppContext) => {
  if (ctx.request.is(octetStream) !== octetStream) {
    await closeIfUnread(ctx)
    return sendError(ctx, unsupportedMediaType(octetStream))
  }
  const declared = ctx.request.length
  if (declared !== undefined && declared > deps.limits.maxUploadBytes) {
    await closeIfUnread(ctx)
    return sendError(ctx, payloadTooLarge(deps.limits.maxUploadBytes))
  }
  const input = readUploadInput(ctx)
  if (E.isLeft(input)) {
    await closeIfUnread(ctx)
    return sendError(ctx, invalidInput(input.left))
  }
  await runTask(ctx, deps.logger, deps.useCases.uploadBackup(input.right, ctx.req, callerOf(ctx)), (out) =>
    sendJson(ctx, out.created ? 201 : 200, toBackupSummaryDto(out.backup)),
  )
  await closeIfUnread(ctx)
}

/**
 * Pulls the first chunk before answering, so a store that fails at once gets a 503, not a cut-off 200. When
 * the client goes away, Koa destroys the stream, and the store's iterator is returned, which closes what it
 * holds open (a file handle, one batch of chunks).
 */
export const startStream = async (content: AsyncIterable<Uint8Array>): Promise<Readable> => {
  const iterator = content[Symbol.asyncIterator]()
  const first = await iterator.next()
  async function* rest(): AsyncGenerator<Uint8Array> {
    let ended = first.done === true
    try {
      if (ended) return
      yield first.value
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next())
        yield next.value
      ended = true
    } finally {
      if (!ended) await iterator.return?.()
    }
  }
  return Readable.from(rest(), { objectMode: false })
}

const etagOf = (backup: Backup): string => `"${backup.sha256}"`

const setContentHeaders = (ctx: AppContext, backup: Backup): void => {
  ctx.set('ETag', etagOf(backup))
  ctx.set('Accept-Ranges', 'bytes')
  ctx.set('Cache-Control', 'private, no-cache')
}

const sendContent = async (ctx: AppContext, logger: HttpLogger, out: DownloadBackupOutput): Promise<void> => {
  let body: Readable
  try {
    body = await startStream(out.content)
  } catch (cause) {
    return sendApplicationError(ctx, logger, unavailable('blobs')(cause))
  }
  setContentHeaders(ctx, out.backup)
  ctx.status = out.range === null ? 200 : 206
  ctx.type = octetStream
  ctx.body = body
  const { start, end } = out.range ?? { start: 0, end: out.backup.sizeBytes - 1 }
  ctx.length = Math.max(0, end - start + 1)
  if (out.range !== null) ctx.set('Content-Range', `bytes ${start}-${end}/${out.backup.sizeBytes}`)
}

/** The Range to honour: none when `If-Range` names another version (the client's copy is stale). */
const requestedRange = (ctx: AppContext, backup: Backup): RangeRequest => {
  const ifRange = ctx.get('If-Range')
  return ifRange === '' || ifRange === etagOf(backup)
    ? resolveRange(ctx.get('Range') || undefined, backup.sizeBytes)
    : { kind: 'whole' }
}

const notModified = (ctx: AppContext, backup: Backup): boolean => {
  if (!matchesAnyEtag(ctx.get('If-None-Match') || undefined, etagOf(backup))) return false
  setContentHeaders(ctx, backup)
  ctx.status = 304
  return true
}

const answerDownload = async (ctx: AppContext, deps: RouteDeps, backup: Backup): Promise<void> => {
  if (notModified(ctx, backup)) return
  if (ctx.method === 'HEAD') {
    setContentHeaders(ctx, backup)
    ctx.status = 200
    ctx.type = octetStream
    ctx.length = backup.sizeBytes
    return
  }
  const wanted = requestedRange(ctx, backup)
  if (wanted.kind === 'unsatisfiable') {
    return sendApplicationError(ctx, deps.logger, rangeNotSatisfiable(backup.sizeBytes))
  }
  const input = { backupId: backup.backupId, ...(wanted.kind === 'partial' ? { range: wanted.range } : {}) }
  await runTask(ctx, deps.logger, deps.useCases.downloadBackup(input, callerOf(ctx)), (out) =>
    sendContent(ctx, deps.logger, out),
  )
}

/**
 * A whole GET (no Range) reads the record once: downloadBackup returns it with content that is read only when
 * streamed, so a 304 reads no chunk and no second record read (the download bench in bench/RESULTS.md). A
 * Range request, and HEAD, read the record first: its size resolves open and suffix ranges before the use
 * case runs.
 */
const download = (deps: RouteDeps) => async (ctx: AppContext) => {
  const ref = decodeOrReply(ctx, BackupRef, { backupId: pathParam(ctx, 'backupId') })
  if (E.isLeft(ref)) return
  if (ctx.method === 'GET' && ctx.get('Range') === '') {
    await runTask(ctx, deps.logger, deps.useCases.downloadBackup(ref.right, callerOf(ctx)), (out) =>
      notModified(ctx, out.backup) ? undefined : sendContent(ctx, deps.logger, out),
    )
    return
  }
  await runTask(ctx, deps.logger, deps.useCases.getBackup(ref.right, callerOf(ctx)), (backup) =>
    answerDownload(ctx, deps, backup),
  )
}

export const registerBackupContentRoutes = (router: ApiRouter, deps: RouteDeps): void => {
  router.put('/api/v1/backups/:backupId/content', ...authenticated(deps), streamSlot(deps), upload(deps))
  router.get('/api/v1/backups/:backupId/content', ...authenticated(deps), streamSlot(deps), download(deps))
}
