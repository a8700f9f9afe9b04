import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { MAX_HAS_IDS, ObjectId } from '../../domain/snapshot'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'

/** 1 to n distinct object ids. */
export const objectIdList = (name: string, max: number, unique: boolean) =>
  t.refinement(
    t.array(ObjectId),
    (ids) => ids.length >= 1 && ids.length <= max && (!unique || new Set(ids).size === ids.length),
    name,
  )

export const HasObjectsInput = t.strict({ ids: objectIdList('HasObjectIds', MAX_HAS_IDS, true) })
export type HasObjectsInput = t.TypeOf<typeof HasObjectsInput>
export type HasObjectsOutput = Readonly<{ present: ReadonlyArray<ObjectId> }>
/**
 * Which of the ids the account holds, in the order asked. Each present id is claimed (its claim time becomes
 * now), so the collector leaves it alone for the grace period: the backup that asked may reference it.
 * Another account's ids are as absent as unknown ones.
 */
export type HasObjects = (
  input: HasObjectsInput,
  caller: Caller,
) => TE.TaskEither<Unavailable, HasObjectsOutput>
export type HasObjectsDeps = Pick<Ports, 'unitOfWork' | 'clock'>

export const hasObjects =
  (deps: HasObjectsDeps): HasObjects =>
  (input, caller) =>
    deps.unitOfWork.inAccount(caller.accountId, (tx) =>
      pipe(
        tx.snapshotObjects.claim(caller.accountId, input.ids, deps.clock.now()),
        TE.map((present) => ({ present })),
      ),
    )
