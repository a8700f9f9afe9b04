/**
 * Knows how to keep snapshot records and their refs in memory, with the same contract as the PostgreSQL
 * adapter: a ref to an object the account does not hold is refused, as the foreign key refuses it.
 */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { Unavailable } from '../../application/errors'
import type { SnapshotQuery, SnapshotRepository } from '../../application/ports/snapshot-repository'
import type { SnapshotRecord } from '../../domain/snapshot'
import { type SnapshotExists, snapshotExists } from '../../domain/snapshot-errors'
import { REF_BYTES, refCountOf, refIds } from '../../domain/snapshot-refs'
import { writing } from './in-memory-account-locks'
import { type InMemoryDatabase, memoryFailure, snapshotKey } from './in-memory-database'

/** Newest first by (receivedAt, snapshotId), as the PostgreSQL index orders them. */
const newestFirst = (a: SnapshotRecord, b: SnapshotRecord): number =>
  b.receivedAt.getTime() - a.receivedAt.getTime() || (a.snapshotId < b.snapshotId ? 1 : -1)

const matches = (q: SnapshotQuery) => (s: SnapshotRecord) =>
  (O.isNone(q.seriesId) || s.seriesId === q.seriesId.value) &&
  (O.isNone(q.cursor) ||
    s.receivedAt.getTime() < q.cursor.value.at.getTime() ||
    (s.receivedAt.getTime() === q.cursor.value.at.getTime() && s.snapshotId < q.cursor.value.id))

const recordOf = ({ refs: _refs, ...record }: SnapshotRecord & { refs: Uint8Array }): SnapshotRecord =>
  structuredClone(record)

/** The index of the first ref after `after` (refs are sorted, so hex order is byte order). */
const firstAfter = (refs: Uint8Array, after: string): number => {
  const ids = refIds(refs)
  const i = ids.findIndex((id) => id > after)
  return i === -1 ? ids.length : i
}

export const inMemorySnapshotRepository = (db: InMemoryDatabase): SnapshotRepository => ({
  /** The in-memory UnitOfWork holds the account's lock for the whole transaction: this lock is already held. */
  lockCollector: () => TE.right(undefined),
  find: (accountId, snapshotId) =>
    TE.fromIO(() => O.map(recordOf)(O.fromNullable(db.snapshots.get(snapshotKey(accountId, snapshotId))))),
  list: (accountId, q) =>
    TE.fromIO(() =>
      [...db.snapshots.values()]
        .filter((s) => s.accountId === accountId)
        .filter(matches(q))
        .sort(newestFirst)
        .slice(0, q.limit + 1)
        .map(recordOf),
    ),
  insert: (record, refs) =>
    writing(db, record.accountId, (): E.Either<Unavailable | SnapshotExists, void> => {
      if (!db.accounts.has(record.accountId)) return E.left(memoryFailure('account not found'))
      const key = snapshotKey(record.accountId, record.snapshotId)
      if (db.snapshots.has(key)) return E.left(snapshotExists(record.snapshotId))
      if (refIds(refs).some((id) => !db.snapshotObjects.has(snapshotKey(record.accountId, id))))
        return E.left(memoryFailure('a ref names an object the account does not hold'))
      db.snapshots.set(key, { ...structuredClone(record), refs: refs.slice() })
      return E.right(undefined)
    }),
  refs: (accountId, snapshotId, after, limit) =>
    TE.fromIO(() => {
      const stored = db.snapshots.get(snapshotKey(accountId, snapshotId))
      if (stored === undefined) return new Uint8Array(0)
      const from = O.isNone(after) ? 0 : firstAfter(stored.refs, after.value)
      const to = Math.min(refCountOf(stored.refs), from + limit)
      return stored.refs.slice(from * REF_BYTES, to * REF_BYTES)
    }),
  remove: (accountId, snapshotId) =>
    writing(db, accountId, () => E.right(db.snapshots.delete(snapshotKey(accountId, snapshotId)))),
  count: (accountId) =>
    TE.fromIO(() => [...db.snapshots.values()].filter((s) => s.accountId === accountId).length),
})
