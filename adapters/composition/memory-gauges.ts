/**
 * Knows the observability gauges' figures when PERSISTENCE=memory: no pool to sample, and the storage totals
 * computed from the in-memory tables the way `zkeb.storage_totals` computes them in PostgreSQL.
 */
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import { purgeCutoff } from '../../domain/backup'
import type { InMemoryBlobEntry } from '../in-memory/in-memory-blob-store'
import type { InMemoryDatabase } from '../in-memory/in-memory-database'
import { accountUsedBytes } from '../in-memory/in-memory-quota-ledger'
import type { StorageSample } from '../../application/ports/metrics'
import type { GaugeSources } from '../observability/samplers'
import { orphanGraceMs } from './bind-observability'
import type { Config } from './config'

const sum = (values: ReadonlyArray<number>): number => values.reduce((a, b) => a + b, 0)

const storageTotals = (
  db: InMemoryDatabase,
  blobs: ReadonlyArray<InMemoryBlobEntry>,
  cutoff: Date,
  orphanBefore: Date,
): StorageSample => {
  const usage = [...db.accounts.values()].map((a) => ({
    quota: a.quotaLimitBytes,
    used: accountUsedBytes(db, a.accountId),
  }))
  const trash = [...db.backups.values()].filter((b) => O.isSome(b.deletedAt))
  const referenced = new Set(
    [...db.backups.values(), ...db.resticObjects.values(), ...db.snapshotPacks.values()].map(
      (r) => `${r.accountId}/${r.blobId}`,
    ),
  )
  const orphans = blobs.filter(
    (b) => b.createdAt < orphanBefore && !referenced.has(`${b.accountId}/${b.blobId}`),
  )
  return {
    accounts: usage.length,
    quotaBytes: sum(usage.map((u) => u.quota)),
    usedBytes: sum(usage.map((u) => u.used)),
    accountsNearQuota: usage.filter((u) => u.quota > 0 && u.used >= 0.9 * u.quota).length,
    trashBackups: trash.length,
    trashBytes: sum(trash.map((b) => b.sizeBytes)),
    purgeBacklogBackups: trash.filter((b) => O.isSome(b.deletedAt) && b.deletedAt.value <= cutoff).length,
    orphanBlobs: orphans.length,
    orphanBlobBytes: sum(orphans.map((b) => b.sizeBytes)),
  }
}

export const memoryGauges = (
  db: InMemoryDatabase,
  blobs: { readonly entries: () => ReadonlyArray<InMemoryBlobEntry> },
  config: Pick<Config, 'trashRetentionDays'>,
): GaugeSources => ({
  samplePool: () => ({ active: 0, idle: 0, waiting: 0, max: 0 }),
  readStorage: () =>
    TE.fromIO(() => {
      const now = new Date()
      return storageTotals(
        db,
        blobs.entries(),
        purgeCutoff(now, config.trashRetentionDays),
        new Date(now.getTime() - orphanGraceMs),
      )
    }),
})
