/**
 * Counts a request's body bytes as they arrive and a response's as they leave, without reading either:
 * it wraps the stream's own `push` (request) and `write`/`end` (response) on this one request's objects.
 * Listening to 'data' instead would switch the request to flowing mode and lose bytes no route reads yet.
 * Must be installed synchronously in the request's first tick, before the parser pushes body chunks.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

export type ByteCounts = () => Readonly<{ bytesIn: number; bytesOut: number }>

const sizeOf = (chunk: unknown, encoding?: unknown): number =>
  typeof chunk === 'string'
    ? Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
    : chunk instanceof Uint8Array
      ? chunk.byteLength
      : 0

export const countBodyBytes = (req: IncomingMessage, res: ServerResponse): ByteCounts => {
  let bytesIn = 0
  let bytesOut = 0
  const push = req.push.bind(req)
  req.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    bytesIn += sizeOf(chunk, encoding)
    return push(chunk, encoding)
  }
  const write = res.write.bind(res) as (...args: unknown[]) => boolean
  res.write = ((...args: unknown[]): boolean => {
    bytesOut += sizeOf(args[0], args[1])
    return write(...args)
  }) as ServerResponse['write']
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse
  res.end = ((...args: unknown[]): ServerResponse => {
    if (typeof args[0] !== 'function') bytesOut += sizeOf(args[0], args[1])
    return end(...args)
  }) as ServerResponse['end']
  return () => ({ bytesIn, bytesOut })
}
