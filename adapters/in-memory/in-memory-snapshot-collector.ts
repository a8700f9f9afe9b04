/** Knows the snapshot collector's two deletions in memory, with the same contract as the PostgreSQL adapter. */
import * as E from 'fp-ts/Either'
import type { SnapshotObjectIndex } from '../../application/ports/snapshot-object-index'
import type { AccountId } from '../../domain/ids'
import { refIds } from '../../domain/snapshot-refs'
import { writing } from './in-memory-account-locks'
import { type InMemoryDatabase, snapshotKey } from './in-memory-database'

/** Every id the account's snapshots reference. */
const referenced = (db: InMemoryDatabase, accountId: AccountId): ReadonlySet<string> =>
  new Set([...db.snapshots.values()].filter((s) => s.accountId === accountId).flatMap((s) => refIds(s.refs)))

export const inMemorySnapshotCollector = (
  db: InMemoryDatabase,
): Pick<SnapshotObjectIndex, 'collectObjects' | 'removeEmptyPacks'> => ({
  collectObjects: (accountId, cutoff, limit) =>
    writing(db, accountId, () => {
      const live = referenced(db, accountId)
      const garbage = [...db.snapshotObjects.values()]
        .filter((o) => o.accountId === accountId && o.claimedAt < cutoff && !live.has(o.objectId))
        .slice(0, limit)
      for (const o of garbage) db.snapshotObjects.delete(snapshotKey(accountId, o.objectId))
      return E.right(garbage.length)
    }),
  removeEmptyPacks: (accountId, limit) =>
    writing(db, accountId, () => {
      const used = new Set(
        [...db.snapshotObjects.values()].filter((o) => o.accountId === accountId).map((o) => o.packId),
      )
      const empty = [...db.snapshotPacks.values()]
        .filter((p) => p.accountId === accountId && !used.has(p.packId))
        .slice(0, limit)
      for (const p of empty) db.snapshotPacks.delete(snapshotKey(accountId, p.packId))
      return E.right(structuredClone(empty))
    }),
})
