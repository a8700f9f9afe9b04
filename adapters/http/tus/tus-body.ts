/**
 * Knows how to hand @tus/server a request body as the web stream it reads, without copying it.
 *
 * Why: @tus/server's `handle` wraps the request with srvx, whose body is `Readable.toWeb(req)`, and Node 20's
 * toWeb copies every piece the socket delivers into a fresh ArrayBuffer (to detach it from a pool the HTTP
 * parser does not use). So each uploaded byte left two dead buffers (the socket's and the copy) for V8 to free,
 * which it does only once their total passes its external-memory limit: the PATCHes measured up to twice the
 * external-pressure collections of the one-shot PUT (see test/adapters/http/tus-memory.test.ts). This is
 * toWeb's own algorithm (pause, enqueue on 'data', resume on pull, the same byte high-water mark) minus the
 * copy: the pieces are the request's own buffers, which nothing else holds.
 */
import type { IncomingMessage } from 'node:http'
import { finished } from 'node:stream'

export const uncopiedBody = (req: IncomingMessage): ReadableStream<Uint8Array> => {
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined
  let canceled = false
  req.pause()
  req.on('data', (piece: Buffer) => {
    controller?.enqueue(piece)
    if ((controller?.desiredSize ?? 0) <= 0) req.pause()
  })
  const cleanup = finished(req, (error) => {
    cleanup()
    // A stream may report an error again after it finished; nobody listens for it any more.
    req.on('error', () => undefined)
    if (canceled) return
    if (error) controller?.error(error)
    else controller?.close()
  })
  return new ReadableStream<Uint8Array>(
    {
      start: (c) => void (controller = c),
      pull: () => void req.resume(),
      cancel: (reason: unknown) => {
        canceled = true
        req.destroy(reason instanceof Error ? reason : undefined)
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: req.readableHighWaterMark }),
  )
}
