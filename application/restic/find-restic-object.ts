import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import {
  type ResticObject,
  type ResticObjectNotFound,
  resticObjectNotFound,
  ResticObjectRef,
} from '../../domain/restic'
import type { ResticCaller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'

export const FindResticObjectInput = ResticObjectRef
/** The object's record (its size answers HEAD and resolves ranges), or ResticObjectNotFound. */
export type FindResticObject = (
  ref: ResticObjectRef,
  caller: ResticCaller,
) => TE.TaskEither<ResticObjectNotFound | Unavailable, ResticObject>
export type FindResticObjectDeps = Pick<Ports, 'resticObjects'>

export const findResticObject =
  (deps: FindResticObjectDeps): FindResticObject =>
  (ref, caller) =>
    pipe(
      deps.resticObjects.find(caller.accountId, ref),
      TE.flatMap(TE.fromOption(() => resticObjectNotFound)),
    )
