import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import { ensureMayDelete, type ResticAppendOnly, type ResticObjectRef } from '../../domain/restic'
import type { ResticCaller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'

/**
 * Deletes the object: the record first (it stops being visible and counted), then its blob. Deleting what
 * is not there succeeds, so restic's retries work. Append-only tokens may delete locks only.
 */
export type DeleteResticObject = (
  ref: ResticObjectRef,
  caller: ResticCaller,
) => TE.TaskEither<ResticAppendOnly | Unavailable, void>
export type DeleteResticObjectDeps = Pick<Ports, 'resticObjects' | 'blobs'>

export const deleteResticObject =
  (deps: DeleteResticObjectDeps): DeleteResticObject =>
  (ref, caller) =>
    pipe(
      TE.fromEither(ensureMayDelete(caller, ref.type)),
      TE.flatMap(() => deps.resticObjects.remove(caller.accountId, ref)),
      TE.flatMap(
        O.match(
          () => TE.right(undefined),
          (removed) => deps.blobs.delete(caller.accountId, removed.blobId),
        ),
      ),
    )
