import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { type RangeNotSatisfiable, rangeNotSatisfiable } from '../../domain/errors'
import type { ResticObject, ResticObjectNotFound, ResticObjectRef } from '../../domain/restic'
import type { ByteRange } from '../ports/blob-store'
import type { ResticCaller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { findResticObject } from './find-restic-object'

/** `range` is inclusive and already resolved by the edge against the object's size. */
export type ReadResticObjectInput = Readonly<{ ref: ResticObjectRef; range?: ByteRange }>
export type ReadResticObjectOutput = Readonly<{
  object: ResticObject
  range: ByteRange | null
  content: AsyncIterable<Uint8Array>
}>
/** Streams the object's bytes (or one range of them, restic reads single blobs out of packs). */
export type ReadResticObject = (
  input: ReadResticObjectInput,
  caller: ResticCaller,
) => TE.TaskEither<ResticObjectNotFound | RangeNotSatisfiable | Unavailable, ReadResticObjectOutput>
export type ReadResticObjectDeps = Pick<Ports, 'resticObjects' | 'blobs'>

const fits = (range: ByteRange, sizeBytes: number): boolean =>
  Number.isSafeInteger(range.start) &&
  Number.isSafeInteger(range.end) &&
  range.start >= 0 &&
  range.start <= range.end &&
  range.end < sizeBytes

export const readResticObject =
  (deps: ReadResticObjectDeps): ReadResticObject =>
  (input, caller) =>
    pipe(
      findResticObject(deps)(input.ref, caller),
      TE.filterOrElseW(
        (object) => input.range === undefined || fits(input.range, object.sizeBytes),
        (object) => rangeNotSatisfiable(object.sizeBytes),
      ),
      TE.map((object) => ({
        object,
        range: input.range ?? null,
        content: deps.blobs.read(caller.accountId, object.blobId, input.range),
      })),
    )
