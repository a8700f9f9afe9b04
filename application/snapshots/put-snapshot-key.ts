import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { type SnapshotKey, WrappedSnapshotKey } from '../../domain/snapshot'
import { type SnapshotKeyExists, snapshotKeyExists } from '../../domain/snapshot-errors'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { lockAccount } from '../shared/quota'

export const PutSnapshotKeyInput = t.strict({ wrappedKey: WrappedSnapshotKey })
export type PutSnapshotKeyInput = t.TypeOf<typeof PutSnapshotKeyInput>
export type PutSnapshotKeyOutput = Readonly<{ key: SnapshotKey; created: boolean }>
/**
 * Stores the account's repository key once. The same bytes again are a retry (created: false); other bytes
 * mean another device stored its key first (SnapshotKeyExists): the caller reads and uses that one.
 */
export type PutSnapshotKey = (
  input: PutSnapshotKeyInput,
  caller: Caller,
) => TE.TaskEither<SnapshotKeyExists | Unavailable, PutSnapshotKeyOutput>
export type PutSnapshotKeyDeps = Pick<Ports, 'unitOfWork' | 'clock'>

/** Under the account's lock, so two devices storing their first key at once are decided one after the other. */
export const putSnapshotKey =
  (deps: PutSnapshotKeyDeps): PutSnapshotKey =>
  (input, caller) =>
    deps.unitOfWork.inAccount(caller.accountId, (tx) =>
      pipe(
        lockAccount(tx.quota, caller.accountId),
        TE.flatMap(() => tx.snapshotKeys.find(caller.accountId)),
        TE.flatMap(
          O.match(
            (): TE.TaskEither<SnapshotKeyExists | Unavailable, PutSnapshotKeyOutput> => {
              const key = {
                accountId: caller.accountId,
                wrappedKey: input.wrappedKey,
                createdAt: deps.clock.now(),
              }
              return pipe(tx.snapshotKeys.insert(key), TE.as({ key, created: true }))
            },
            (stored) =>
              stored.wrappedKey === input.wrappedKey
                ? TE.right({ key: stored, created: false })
                : TE.left(snapshotKeyExists),
          ),
        ),
      ),
    )
