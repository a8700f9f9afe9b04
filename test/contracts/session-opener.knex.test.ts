import { knexAccountRepository } from '../../adapters/persistence/knex/knex-account-repository'
import { knexAuditRepository } from '../../adapters/persistence/knex/knex-audit-repository'
import { knexBackupRepository } from '../../adapters/persistence/knex/knex-backup-repository'
import { knexDeviceRepository } from '../../adapters/persistence/knex/knex-device-repository'
import { knexSessionOpener } from '../../adapters/persistence/knex/knex-session-opener'
import { knexSessionStore } from '../../adapters/persistence/knex/knex-session-store'
import { createTestDatabase } from '../support/postgres'
import { knexName } from './knex-persistence'
import { sessionOpenerContract } from './session-opener.contract'

sessionOpenerContract(`one transaction, ${knexName}`, async () => {
  const db = await createTestDatabase()
  return {
    accounts: knexAccountRepository(db.appKnex),
    devices: knexDeviceRepository(db.appKnex),
    backups: knexBackupRepository(db.appKnex),
    audit: knexAuditRepository(db.appKnex),
    sessions: knexSessionStore(db.appKnex),
    opener: knexSessionOpener(db.appKnex),
    reset: async () => void (await db.ownerKnex.raw('truncate zkeb.accounts, zkeb.sessions cascade')),
    close: db.drop,
  }
})
