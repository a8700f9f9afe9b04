/**
 * The snapshot ports (inside the UnitOfWork) with the repositories they share a store with, in memory and over a
 * fresh PostgreSQL as `zkeb_app`; and builders of valid packs, entries and records.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import type * as TE from 'fp-ts/TaskEither'
import { inMemoryAccountRepository } from '../../adapters/in-memory/in-memory-account-repository'
import { inMemoryBackupRepository } from '../../adapters/in-memory/in-memory-backup-repository'
import { inMemoryDatabase } from '../../adapters/in-memory/in-memory-database'
import { inMemorySessionStore } from '../../adapters/in-memory/in-memory-session-store'
import { inMemorySnapshotAccounts } from '../../adapters/in-memory/in-memory-snapshot-accounts'
import { inMemoryUnitOfWork } from '../../adapters/in-memory/in-memory-unit-of-work'
import { knexAccountRepository } from '../../adapters/persistence/knex/knex-account-repository'
import { knexBackupRepository } from '../../adapters/persistence/knex/knex-backup-repository'
import { knexSnapshotAccounts } from '../../adapters/persistence/knex/knex-snapshot-accounts'
import { knexUnitOfWork } from '../../adapters/persistence/knex/knex-unit-of-work'
import type { AccountRepository } from '../../application/ports/account-repository'
import type { BackupRepository } from '../../application/ports/backup-repository'
import type { SnapshotAccounts } from '../../application/ports/snapshot-accounts'
import type { AccountTransaction, UnitOfWork } from '../../application/ports/unit-of-work'
import type { AccountId, Ed25519Signature, Sha256Hex } from '../../domain/ids'
import type {
  ObjectId,
  PackEntry,
  PackId,
  SeriesId,
  SnapshotId,
  SnapshotMetadata,
  SnapshotPack,
  SnapshotRecord,
} from '../../domain/snapshot'
import { refsOf } from '../../domain/snapshot-refs'
import { aBlobId, aDeviceId, anAccount, at } from '../support/persistence-builders'
import { createTestDatabase } from '../support/postgres'
import { right } from './harness'

export type SnapshotHarness = Readonly<{
  accounts: AccountRepository
  backups: BackupRepository
  unitOfWork: UnitOfWork
  snapshotAccounts: SnapshotAccounts
  reset: () => Promise<void>
  close: () => Promise<void>
}>

export const inMemorySnapshots = (): Promise<SnapshotHarness> => {
  const db = inMemoryDatabase()
  return Promise.resolve({
    accounts: inMemoryAccountRepository(db),
    backups: inMemoryBackupRepository(db),
    unitOfWork: inMemoryUnitOfWork(db, inMemorySessionStore()),
    snapshotAccounts: inMemorySnapshotAccounts(db),
    reset: () => Promise.resolve(Object.values(db).forEach((table: Map<unknown, unknown>) => table.clear())),
    close: () => Promise.resolve(),
  })
}

export const knexSnapshots = async (): Promise<SnapshotHarness> => {
  const db = await createTestDatabase()
  return {
    accounts: knexAccountRepository(db.appKnex),
    backups: knexBackupRepository(db.appKnex),
    unitOfWork: knexUnitOfWork(db.appKnex),
    snapshotAccounts: knexSnapshotAccounts(db.appKnex),
    reset: async () => void (await db.ownerKnex.raw('truncate zkeb.accounts cascade')),
    close: db.drop,
  }
}

/** Runs `work` in one transaction of the account and returns its Right. */
export const inTx = <E extends { readonly _tag: string }, A>(
  h: Pick<SnapshotHarness, 'unitOfWork'>,
  accountId: AccountId,
  work: (tx: AccountTransaction) => TE.TaskEither<E, A>,
): Promise<A> => right(h.unitOfWork.inAccount(accountId, work))

export const givenAccount = async (h: Pick<SnapshotHarness, 'accounts'>): Promise<AccountId> => {
  const account = anAccount()
  await right(h.accounts.create(account))
  return account.accountId
}

export const anObjectId = (): ObjectId => randomBytes(32).toString('hex') as ObjectId
export const aPackId = (): PackId => randomBytes(32).toString('hex') as PackId
export const aSeriesId = (): SeriesId => randomBytes(32).toString('hex') as SeriesId
export const aSnapshotId = (): SnapshotId => randomUUID() as SnapshotId

/** Entries laid out as in a pack of these lengths, after a header of the right size. */
export const entriesOf = (lengths: ReadonlyArray<number>, ids = lengths.map(anObjectId)): PackEntry[] => {
  let offset = 9 + 36 * lengths.length
  return lengths.map((length, i) => {
    const entry = { objectId: ids[i]!, offset, length }
    offset += length
    return entry
  })
}

export const aPack = (
  accountId: AccountId,
  entries: ReadonlyArray<PackEntry>,
  overrides: Partial<SnapshotPack> = {},
) => ({
  accountId,
  packId: aPackId(),
  blobId: aBlobId(),
  sha256: randomBytes(32).toString('hex') as Sha256Hex,
  sizeBytes: entries.reduce((n, e) => n + e.length, 9 + 36 * entries.length),
  objectCount: entries.length,
  createdAt: at(),
  ...overrides,
})

export const aRecord = (accountId: AccountId, overrides: Partial<SnapshotRecord> = {}): SnapshotRecord => ({
  accountId,
  snapshotId: aSnapshotId(),
  seriesId: aSeriesId(),
  deviceId: aDeviceId(),
  receivedAt: at(),
  encryptedMetadata: randomBytes(300).toString('base64url') as SnapshotMetadata,
  signature: randomBytes(64).toString('base64url') as Ed25519Signature,
  refCount: 1,
  refsSha256: randomBytes(32).toString('hex') as Sha256Hex,
  ...overrides,
})

/** The refs of these ids as a snapshot carries them: sorted, 32 bytes each. */
export const refsFor = (ids: ReadonlyArray<ObjectId>): Uint8Array => refsOf([...ids].sort())
