/** The restic ports with the repositories they share a store with, in-memory and over real PostgreSQL. */
import { randomBytes, randomUUID } from 'node:crypto'
import { inMemoryAccountRepository } from '../../adapters/in-memory/in-memory-account-repository'
import { inMemoryBackupRepository } from '../../adapters/in-memory/in-memory-backup-repository'
import { inMemoryDatabase } from '../../adapters/in-memory/in-memory-database'
import { inMemoryDeviceRepository } from '../../adapters/in-memory/in-memory-device-repository'
import { inMemoryResticObjectRepository } from '../../adapters/in-memory/in-memory-restic-object-repository'
import { inMemoryResticTokenRepository } from '../../adapters/in-memory/in-memory-restic-token-repository'
import { knexAccountRepository } from '../../adapters/persistence/knex/knex-account-repository'
import { knexBackupRepository } from '../../adapters/persistence/knex/knex-backup-repository'
import { knexDeviceRepository } from '../../adapters/persistence/knex/knex-device-repository'
import { knexResticObjectRepository } from '../../adapters/persistence/knex/knex-restic-object-repository'
import { knexResticTokenRepository } from '../../adapters/persistence/knex/knex-restic-token-repository'
import type { AccountRepository } from '../../application/ports/account-repository'
import type { BackupRepository } from '../../application/ports/backup-repository'
import type { DeviceRepository } from '../../application/ports/device-repository'
import type { ResticObjectRepository } from '../../application/ports/restic-object-repository'
import type { ResticTokenRepository } from '../../application/ports/restic-token-repository'
import type { AccountId, DeviceId, Sha256Hex } from '../../domain/ids'
import type { ResticObject, ResticRepoName, ResticToken, ResticTokenId } from '../../domain/restic'
import { aBlobId, at } from '../support/persistence-builders'
import { createTestDatabase } from '../support/postgres'

export type ResticHarness = Readonly<{
  accounts: AccountRepository
  devices: DeviceRepository
  backups: BackupRepository
  resticTokens: ResticTokenRepository
  resticObjects: ResticObjectRepository
  reset: () => Promise<void>
  close: () => Promise<void>
}>

export const inMemoryRestic = (): Promise<ResticHarness> => {
  const db = inMemoryDatabase()
  return Promise.resolve({
    accounts: inMemoryAccountRepository(db),
    devices: inMemoryDeviceRepository(db),
    backups: inMemoryBackupRepository(db),
    resticTokens: inMemoryResticTokenRepository(db),
    resticObjects: inMemoryResticObjectRepository(db),
    reset: () => Promise.resolve(Object.values(db).forEach((table: Map<unknown, unknown>) => table.clear())),
    close: () => Promise.resolve(),
  })
}

export const knexRestic = async (): Promise<ResticHarness> => {
  const db = await createTestDatabase()
  return {
    accounts: knexAccountRepository(db.appKnex),
    devices: knexDeviceRepository(db.appKnex),
    backups: knexBackupRepository(db.appKnex),
    resticTokens: knexResticTokenRepository(db.appKnex),
    resticObjects: knexResticObjectRepository(db.appKnex),
    reset: async () => void (await db.ownerKnex.raw('truncate zkeb.accounts cascade')),
    close: db.drop,
  }
}

export const aSha256 = (): Sha256Hex => randomBytes(32).toString('hex') as Sha256Hex

export const aResticToken = (
  accountId: AccountId,
  deviceId: DeviceId | null,
  overrides: Partial<ResticToken> = {},
): ResticToken => ({
  tokenId: randomUUID() as ResticTokenId,
  accountId,
  deviceId,
  sessionId: null,
  appendOnly: false,
  repo: null,
  secretSha256: aSha256(),
  createdAt: at(),
  ...overrides,
})

export const aResticObject = (accountId: AccountId, overrides: Partial<ResticObject> = {}): ResticObject => ({
  accountId,
  repo: 'laptop' as ResticRepoName,
  type: 'data',
  name: aSha256(),
  blobId: aBlobId(),
  sizeBytes: 1000,
  createdAt: at(),
  ...overrides,
})
