import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { MAX_READ_IDS, type ObjectId, type ObjectLocation } from '../../domain/snapshot'
import { type ObjectsNotFound, objectsNotFound } from '../../domain/snapshot-errors'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { objectIdList } from './has-objects'
import { objectsBody, objectsBodyLength } from './object-stream'

/** Repeats are allowed: a restore may need one chunk at several places. */
export const ReadObjectsInput = t.strict({ ids: objectIdList('ReadObjectIds', MAX_READ_IDS, false) })
export type ReadObjectsInput = t.TypeOf<typeof ReadObjectsInput>
export type ReadObjectsOutput = Readonly<{ contentLength: number; content: AsyncIterable<Uint8Array> }>
/**
 * The objects, in the order asked, as one stream whose length is known first. Every id must be held by the
 * account (another account's are as absent as unknown ones): otherwise ObjectsNotFound names the missing ones
 * before any byte is sent. Locations are read in one short transaction; the bytes are streamed from the blob
 * store afterwards, so a slow reader holds no database transaction.
 */
export type ReadObjects = (
  input: ReadObjectsInput,
  caller: Caller,
) => TE.TaskEither<ObjectsNotFound | Unavailable, ReadObjectsOutput>
export type ReadObjectsDeps = Pick<Ports, 'unitOfWork' | 'blobs'>

/** Each requested id's location, in request order; the missing ones (each once, in request order) otherwise. */
const inRequestOrder = (
  ids: ReadonlyArray<ObjectId>,
  found: ReadonlyArray<ObjectLocation>,
): E.Either<ObjectsNotFound, ReadonlyArray<ObjectLocation>> => {
  const byId = new Map(found.map((o) => [o.objectId, o]))
  const missing = [...new Set(ids.filter((id) => !byId.has(id)))]
  return missing.length > 0 ? E.left(objectsNotFound(missing)) : E.right(ids.map((id) => byId.get(id)!))
}

export const readObjects =
  (deps: ReadObjectsDeps): ReadObjects =>
  (input, caller) =>
    pipe(
      deps.unitOfWork.inAccount(caller.accountId, (tx) =>
        tx.snapshotObjects.locate(caller.accountId, [...new Set(input.ids)]),
      ),
      TE.flatMapEither((found) => inRequestOrder(input.ids, found)),
      TE.map((located) => ({
        contentLength: objectsBodyLength(located),
        content: objectsBody(deps.blobs, caller.accountId, located),
      })),
    )
