/** The in-memory twin of the maintenance queries, over the in-memory database and blob store. */
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { MaintenanceQueries } from '../../application/ports/maintenance-queries'
import type { InMemoryBlobEntry } from './in-memory-blob-store'
import type { InMemoryDatabase } from './in-memory-database'
import { accountUsedBytes } from './in-memory-quota-ledger'

/** Byte order of the lower-case username, as PostgreSQL's `collate "C"` sorts it (usernames are ASCII). */
const sortKey = (username: string): string => username.toLowerCase()

export const inMemoryMaintenanceQueries = (
  db: InMemoryDatabase,
  blobs: { readonly entries: () => ReadonlyArray<InMemoryBlobEntry> },
): MaintenanceQueries => ({
  stats: () =>
    TE.fromIO(() => {
      const backups = [...db.backups.values()]
      const stored = blobs.entries()
      return {
        accounts: db.accounts.size,
        disabledAccounts: [...db.accounts.values()].filter((a) => O.isSome(a.disabledAt)).length,
        liveBackups: backups.filter((b) => O.isNone(b.deletedAt)).length,
        trashedBackups: backups.filter((b) => O.isSome(b.deletedAt)).length,
        backupBytes: backups.reduce((sum, b) => sum + b.sizeBytes, 0),
        blobs: stored.length,
        blobBytes: stored.reduce((sum, b) => sum + b.sizeBytes, 0),
      }
    }),
  listAccounts: ({ after, limit }) =>
    TE.fromIO(() =>
      [...db.accounts.values()]
        .filter((a) => O.isNone(after) || sortKey(a.username) > sortKey(after.value))
        .sort((a, b) => (sortKey(a.username) < sortKey(b.username) ? -1 : 1))
        .slice(0, limit + 1)
        .map((a) => ({
          accountId: a.accountId,
          username: a.username,
          createdAt: a.createdAt,
          disabledAt: a.disabledAt,
          quotaLimitBytes: a.quotaLimitBytes,
          usedBytes: accountUsedBytes(db, a.accountId),
        })),
    ),
})
