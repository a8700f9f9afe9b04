/**
 * Knows the binary body of "create snapshot" (protocol v1.1 §7), read as it streams with every size bounded
 * before it is allocated: `u32(length of header) | header JSON (UTF-8) | refs (32 bytes each)`. The header is
 * decoded with the use case's codec before the refs are read, so their buffer is never larger than the
 * refCount the codec allowed (2,000,000 × 32 bytes at most).
 * SECURITY: failures name paths only (`(root)`, header fields, `refs`), never a value.
 */
import type { Readable } from 'node:stream'
import * as E from 'fp-ts/Either'
import { CreateSnapshotHeader, type CreateSnapshotInput } from '../../../application/snapshots'
import { REF_BYTES } from '../../../domain/snapshot-refs'
import { decodeExact, rootPath } from '../decode'

/** The header is ≤ 64 KiB of metadata and a few ids, base64url: 128 KiB is ample. */
export const MAX_CREATE_HEADER_BYTES = 128 * 1024

type Paths = ReadonlyArray<string>

/**
 * Reads exact byte counts from the request in paused mode ('readable' and read()), never through an async
 * iterator: stopping early must leave the request as it is, so the unread rest can be drained (unread-body.ts)
 * and the answer still reaches the client.
 */
const exactReader = (stream: Readable) => {
  let rest: Uint8Array = new Uint8Array(0)
  /** The next buffered bytes; null once the stream has ended. */
  const next = (): Promise<Uint8Array | null> =>
    new Promise((resolve, reject) => {
      const done = (settle: () => void) => {
        stream.off('readable', attempt).off('end', onEnd).off('error', onError)
        settle()
      }
      const attempt = () => {
        const chunk = stream.read() as Buffer | null
        if (chunk !== null) done(() => resolve(chunk))
        else if (stream.readableEnded) done(() => resolve(null))
      }
      const onEnd = () => done(() => resolve(null))
      const onError = (error: Error) => done(() => reject(error))
      stream.on('readable', attempt).once('end', onEnd).once('error', onError)
      attempt()
    })
  /** Fills `into` whole; false when the stream ended first. */
  const fill = async (into: Uint8Array): Promise<boolean> => {
    for (let at = 0; at < into.length;) {
      if (rest.length === 0) {
        const chunk = await next()
        if (chunk === null) return false
        rest = chunk
      }
      const take = Math.min(rest.length, into.length - at)
      into.set(rest.subarray(0, take), at)
      rest = rest.subarray(take)
      at += take
    }
    return true
  }
  /** True when nothing follows. */
  const ended = async (): Promise<boolean> => {
    while (rest.length === 0) {
      const chunk = await next()
      if (chunk === null) return true
      rest = chunk
    }
    return false
  }
  return { fill, ended }
}

const parseHeader = (bytes: Uint8Array): E.Either<Paths, CreateSnapshotHeader> => {
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    return E.left([rootPath])
  }
  return decodeExact(CreateSnapshotHeader, json)
}

/** Right(input) when the body is exactly a header that decodes and refCount whole refs; Left(paths) otherwise. */
export const readCreateSnapshotBody = async (
  body: Readable,
): Promise<E.Either<Paths, CreateSnapshotInput>> => {
  const read = exactReader(body)
  const prefix = new Uint8Array(4)
  if (!(await read.fill(prefix))) return E.left([rootPath])
  const headerLength = new DataView(prefix.buffer).getUint32(0)
  if (headerLength === 0 || headerLength > MAX_CREATE_HEADER_BYTES) return E.left([rootPath])
  const headerBytes = new Uint8Array(headerLength)
  if (!(await read.fill(headerBytes))) return E.left([rootPath])
  const header = parseHeader(headerBytes)
  if (E.isLeft(header)) return header
  const refs = new Uint8Array(header.right.refCount * REF_BYTES)
  if (!(await read.fill(refs)) || !(await read.ended())) return E.left(['refs'])
  return E.right({ ...header.right, refs })
}
