/**
 * Knows how to answer before a request body was read without the unread rest being parsed as the next request,
 * and without the client missing the answer: closing a socket with unread bytes makes the kernel reset it,
 * and a client still sending then sees the reset instead of the answer. So a small rest is read and dropped
 * first; a large or slow one ends the connection instead, rather than wait for it.
 */
import type { IncomingMessage } from 'node:http'
import type { AppContext } from '../http-types'

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

/** Drops a small unread rest of the body, or marks the answer `Connection: close`. */
export const closeIfUnread = async (ctx: AppContext): Promise<void> => {
  if (ctx.req.complete) return
  const declared = ctx.request.length
  const small = declared === undefined || declared <= drainableBytes
  if (small && !ctx.req.destroyed && (await drainRest(ctx.req))) return
  ctx.set('Connection', 'close')
}
