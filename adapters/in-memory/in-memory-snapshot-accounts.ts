/** Knows which accounts hold snapshot packs in memory, with the same contract as the PostgreSQL adapter. */
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { SnapshotAccounts } from '../../application/ports/snapshot-accounts'
import type { AccountId } from '../../domain/ids'
import type { InMemoryDatabase } from './in-memory-database'

export const inMemorySnapshotAccounts = (db: InMemoryDatabase): SnapshotAccounts => ({
  list: (after, limit) =>
    TE.fromIO(() =>
      [...new Set([...db.snapshotPacks.values()].map((p) => p.accountId))]
        .filter((id): id is AccountId => O.isNone(after) || id > after.value)
        .sort()
        .slice(0, limit),
    ),
})
