/** Knows how to keep restic object records in memory, with the same contract as the PostgreSQL adapter. */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { ResticObjectRepository } from '../../application/ports/restic-object-repository'
import { quotaExceeded } from '../../domain/errors'
import type { AccountId } from '../../domain/ids'
import { resticObjectExists, type ResticObjectRef } from '../../domain/restic'
import {
  accountReservedBytes,
  accountUsedBytes,
  type InMemoryDatabase,
  memoryFailure,
} from './in-memory-database'

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
  commit: (object, limitBytes) =>
    TE.fromIOEither(() => {
      if (!db.accounts.has(object.accountId)) return E.left(memoryFailure('account not found'))
      const key = objectKey(object.accountId, object)
      if (db.resticObjects.has(key)) return E.left(resticObjectExists)
      // Open resumable uploads' reservations are taken space too.
      const used = accountUsedBytes(db, object.accountId) + accountReservedBytes(db, object.accountId)
      if (used + object.sizeBytes > limitBytes) return E.left(quotaExceeded(limitBytes, used))
      db.resticObjects.set(key, structuredClone(object))
      return E.right(undefined)
    }),
  remove: (accountId, ref) =>
    TE.fromIO(() => {
      const key = objectKey(accountId, ref)
      const removed = O.fromNullable(db.resticObjects.get(key))
      db.resticObjects.delete(key)
      return removed
    }),
})
