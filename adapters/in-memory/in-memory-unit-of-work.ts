/**
 * Knows how to run a UnitOfWork in memory, with the same contract as the PostgreSQL adapter. The work runs on a
 * copy of the account's rows only (what row-level security lets a PostgreSQL transaction see), holding the
 * account's lock from start to end (in-memory-account-locks.ts); when it succeeds, its copy replaces the
 * account's rows in one synchronous step. A Left or a throw leaves the database untouched.
 * Sessions live in their own store: a login's session is written there once the work has succeeded, before
 * the copy is merged, so a session store failure discards the rest.
 */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import type { Unavailable } from '../../application/errors'
import type { SessionStore } from '../../application/ports/session-store'
import type { AccountTransaction, UnitOfWork } from '../../application/ports/unit-of-work'
import type { AccountId } from '../../domain/ids'
import { closeView, holdingAccount, openView } from './in-memory-account-locks'
import { inMemoryAccountRepository } from './in-memory-account-repository'
import { inMemoryAuditRepository } from './in-memory-audit-repository'
import { inMemoryBackupRepository } from './in-memory-backup-repository'
import { inMemoryDatabase, type InMemoryDatabase, memoryFailure } from './in-memory-database'
import { inMemoryDeviceRepository } from './in-memory-device-repository'
import { inMemoryKeyRotationRepository } from './in-memory-key-rotation-repository'
import { inMemoryQuotaLedger } from './in-memory-quota-ledger'
import { inMemoryResticObjectRepository } from './in-memory-restic-object-repository'
import { inMemorySecondFactorRepository } from './in-memory-second-factor-repository'
import { inMemorySnapshotKeyRepository } from './in-memory-snapshot-key-repository'
import { inMemorySnapshotObjectIndex } from './in-memory-snapshot-object-index'
import { inMemorySnapshotRepository } from './in-memory-snapshot-repository'
import { inMemoryResticTokenRepository } from './in-memory-restic-token-repository'
import { inMemoryUploadSessionRepository } from './in-memory-upload-session-repository'

type Table = keyof InMemoryDatabase
type Rows = Map<string, unknown>
type Owned = Readonly<{ accountId: string }>

/** The account each table's row belongs to (the key itself for accounts and audit chains). */
const owners: Readonly<Record<Table, (key: string, row: unknown) => string>> = {
  accounts: (key) => key,
  audit: (key) => key,
  devices: (_, row) => (row as Owned).accountId,
  backups: (_, row) => (row as Owned).accountId,
  resticTokens: (_, row) => (row as Owned).accountId,
  resticObjects: (_, row) => (row as Owned).accountId,
  uploads: (_, row) => (row as { session: Owned }).session.accountId,
  snapshotKeys: (key) => key,
  snapshotPacks: (_, row) => (row as Owned).accountId,
  snapshotObjects: (_, row) => (row as Owned).accountId,
  snapshots: (_, row) => (row as Owned).accountId,
  secondFactors: (_, row) => (row as Owned).accountId,
  recoveryCodes: (_, row) => (row as Owned).accountId,
  keyRotations: (key) => key,
  rotationKeys: (_, row) => (row as Owned).accountId,
}
const tables = Object.keys(owners) as ReadonlyArray<Table>
const rowsOf = (db: InMemoryDatabase, table: Table): Rows => db[table]

/** A fresh database holding copies of the account's rows, open for writing without the lock. */
const viewOf = (db: InMemoryDatabase, accountId: AccountId): InMemoryDatabase => {
  const view = inMemoryDatabase()
  for (const table of tables)
    for (const [key, row] of rowsOf(db, table))
      if (owners[table](key, row) === accountId) rowsOf(view, table).set(key, structuredClone(row))
  openView(view)
  return view
}

/** What PostgreSQL would have refused: another account's rows, keys or unique values taken elsewhere. */
const refusal = (db: InMemoryDatabase, view: InMemoryDatabase, accountId: AccountId): string | undefined => {
  for (const table of tables)
    for (const [key, row] of rowsOf(view, table)) {
      if (owners[table](key, row) !== accountId) return `a row of another account (row-level security)`
      const stored = rowsOf(db, table).get(key)
      if (stored !== undefined && owners[table](key, stored) !== accountId) return `duplicate key in ${table}`
    }
  const others = <A extends Owned>(rows: Iterable<A>) => [...rows].filter((r) => r.accountId !== accountId)
  const name = view.accounts.get(accountId)?.username.toLowerCase()
  if (others(db.accounts.values()).some((a) => a.username.toLowerCase() === name)) return 'username taken'
  const secrets = new Set(others(db.resticTokens.values()).map((t) => t.secretSha256))
  if ([...view.resticTokens.values()].some((t) => secrets.has(t.secretSha256))) return 'duplicate token'
  return undefined
}

/** Makes the view the account's rows: keys it dropped go, the rest are set (existing keys keep their place). */
const merge = (db: InMemoryDatabase, view: InMemoryDatabase, accountId: AccountId): void => {
  for (const table of tables) {
    const into = rowsOf(db, table)
    const from = rowsOf(view, table)
    for (const [key, row] of into)
      if (owners[table](key, row) === accountId && !from.has(key)) into.delete(key)
    for (const [key, row] of from) into.set(key, row)
  }
}

type Deferred = () => Promise<E.Either<Unavailable, void>>

const repositoriesOver = (
  view: InMemoryDatabase,
  sessions: SessionStore,
  deferred: Array<Deferred>,
): AccountTransaction => ({
  accounts: inMemoryAccountRepository(view),
  devices: inMemoryDeviceRepository(view),
  backups: inMemoryBackupRepository(view),
  audit: inMemoryAuditRepository(view),
  uploads: inMemoryUploadSessionRepository(view),
  resticObjects: inMemoryResticObjectRepository(view),
  snapshotKeys: inMemorySnapshotKeyRepository(view),
  snapshotObjects: inMemorySnapshotObjectIndex(view),
  snapshots: inMemorySnapshotRepository(view),
  resticTokens: inMemoryResticTokenRepository(view),
  secondFactors: inMemorySecondFactorRepository(view),
  keyRotations: inMemoryKeyRotationRepository(view),
  quota: inMemoryQuotaLedger(view),
  sessions: {
    create: (session, refreshDigest) =>
      TE.fromIO(() => void deferred.push(() => sessions.create(session, refreshDigest)())),
  },
})

export const inMemoryUnitOfWork = (db: InMemoryDatabase, sessions: SessionStore): UnitOfWork => ({
  inAccount: (accountId, work) => () =>
    holdingAccount(db, accountId, async () => {
      const view = viewOf(db, accountId)
      const deferred: Array<Deferred> = []
      try {
        const outcome = await work(repositoriesOver(view, sessions, deferred))()
        if (E.isLeft(outcome)) return outcome
        for (const write of deferred) {
          const written = await write()
          if (E.isLeft(written)) return written
        }
        const refused = refusal(db, view, accountId)
        if (refused !== undefined) return E.left(memoryFailure(refused))
        merge(db, view, accountId)
        return outcome
      } finally {
        closeView(view)
      }
    }),
})
