/** Knows how to keep each account's wrapped snapshot key in memory, with the same contract as the PostgreSQL adapter. */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { Unavailable } from '../../application/errors'
import type { SnapshotKeyRepository } from '../../application/ports/snapshot-key-repository'
import { type SnapshotKeyExists, snapshotKeyExists } from '../../domain/snapshot-errors'
import { writing } from './in-memory-account-locks'
import { type InMemoryDatabase, memoryFailure } from './in-memory-database'

export const inMemorySnapshotKeyRepository = (db: InMemoryDatabase): SnapshotKeyRepository => ({
  find: (accountId) => TE.fromIO(() => O.fromNullable(structuredClone(db.snapshotKeys.get(accountId)))),
  insert: (key) =>
    writing(db, key.accountId, (): E.Either<Unavailable | SnapshotKeyExists, void> => {
      if (!db.accounts.has(key.accountId)) return E.left(memoryFailure('account not found'))
      if (db.snapshotKeys.has(key.accountId)) return E.left(snapshotKeyExists)
      db.snapshotKeys.set(key.accountId, structuredClone(key))
      return E.right(undefined)
    }),
  rewrap: (accountId, wrappedKey) =>
    writing(db, accountId, () => {
      const stored = db.snapshotKeys.get(accountId)
      if (stored === undefined) return E.right(false)
      db.snapshotKeys.set(accountId, { ...stored, wrappedKey })
      return E.right(true)
    }),
})
