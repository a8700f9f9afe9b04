/** Knows how to keep restic object records in memory, with the same contract as the PostgreSQL adapter. */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { Unavailable } from '../../application/errors'
import type { ResticObjectRepository } from '../../application/ports/restic-object-repository'
import type { AccountId } from '../../domain/ids'
import { type ResticObjectExists, resticObjectExists, type ResticObjectRef } from '../../domain/restic'
import { writing } from './in-memory-account-locks'
import { type InMemoryDatabase, memoryFailure } from './in-memory-database'

const objectKey = (accountId: AccountId, ref: ResticObjectRef): string =>
  `${accountId}/${ref.repo}/${ref.type}/${ref.name}`

/** Objects of an unknown account are refused, as the foreign key refuses them in PostgreSQL. */
export const inMemoryResticObjectRepository = (db: InMemoryDatabase): ResticObjectRepository => ({
  find: (accountId, ref) =>
    TE.fromIO(() => O.fromNullable(structuredClone(db.resticObjects.get(objectKey(accountId, ref))))),
  list: (accountId, repo, type) =>
    TE.fromIO(() =>
      [...db.resticObjects.values()]
        .filter((o) => o.accountId === accountId && o.repo === repo && o.type === type)
        .map((o) => ({ name: o.name, sizeBytes: o.sizeBytes })),
    ),
  insert: (object) =>
    writing(db, object.accountId, (): E.Either<Unavailable | ResticObjectExists, void> => {
      if (!db.accounts.has(object.accountId)) return E.left(memoryFailure('account not found'))
      const key = objectKey(object.accountId, object)
      if (db.resticObjects.has(key)) return E.left(resticObjectExists)
      db.resticObjects.set(key, structuredClone(object))
      return E.right(undefined)
    }),
  remove: (accountId, ref) =>
    writing(db, accountId, () => {
      const key = objectKey(accountId, ref)
      const removed = O.fromNullable(db.resticObjects.get(key))
      db.resticObjects.delete(key)
      return E.right(removed)
    }),
})
