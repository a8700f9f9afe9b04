/**
 * Knows how to read an account's quota standing in memory, with the same contract as the PostgreSQL adapter.
 * Its lock is the UnitOfWork's own: the in-memory UnitOfWork holds the account's lock from start to end.
 */
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { QuotaLedger } from '../../application/ports/quota-ledger'
import type { AccountId, BackupId } from '../../domain/ids'
import type { InMemoryDatabase } from './in-memory-database'

/** Every stored byte the account owns: backups (live and trashed), restic objects, indexed snapshot objects. */
export const accountUsedBytes = (db: InMemoryDatabase, accountId: AccountId): number =>
  [...db.backups.values(), ...db.resticObjects.values()]
    .filter((stored) => stored.accountId === accountId)
    .reduce((sum, stored) => sum + stored.sizeBytes, 0) +
  [...db.snapshotObjects.values()]
    .filter((o) => o.accountId === accountId)
    .reduce((sum, o) => sum + o.length, 0)

/** Bytes the account's open resumable uploads reserve, except that of the upload becoming `except`. */
const reservedBytes = (db: InMemoryDatabase, accountId: AccountId, except?: BackupId): number =>
  [...db.uploads.values()]
    .filter((u) => u.session.accountId === accountId && u.session.backupId !== except)
    .reduce((sum, u) => sum + u.session.lengthBytes, 0)

export const inMemoryQuotaLedger = (db: InMemoryDatabase): QuotaLedger => ({
  lock: (accountId) => TE.fromIO(() => O.fromNullable(structuredClone(db.accounts.get(accountId)))),
  standing: (accountId) =>
    TE.fromIO(() =>
      pipe(
        O.fromNullable(db.accounts.get(accountId)),
        O.map((account) => ({
          account: structuredClone(account),
          usedBytes: accountUsedBytes(db, accountId),
        })),
      ),
    ),
  usage: (accountId, except) =>
    TE.fromIO(() => ({
      usedBytes: accountUsedBytes(db, accountId),
      reservedBytes: reservedBytes(db, accountId, except),
    })),
})
