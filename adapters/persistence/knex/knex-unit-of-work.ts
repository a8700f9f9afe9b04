/**
 * Knows how to run a UnitOfWork in PostgreSQL: one transaction scoped to the account (pg-session's
 * accountTransaction: BEGIN and the account's set_config in one round trip), in which every repository it hands
 * out runs (account-access.ts); COMMIT when the work is Right, ROLLBACK when it is a Left or throws.
 */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import type { Knex } from 'knex'
import { unavailable, type Unavailable } from '../../../application/errors'
import type { SessionStore } from '../../../application/ports/session-store'
import type { AccountTransaction, UnitOfWork } from '../../../application/ports/unit-of-work'
import { accountTransaction } from '../pg-session'
import { type AccountAccess, sharedTransaction } from './account-access'
import { accountsIn } from './knex-account-repository'
import { auditIn } from './knex-audit-repository'
import { backupsIn } from './knex-backup-repository'
import { devicesIn } from './knex-device-repository'
import { keyRotationsIn } from './knex-key-rotation-repository'
import { quotaLedgerIn } from './knex-quota-ledger'
import { resticObjectsIn } from './knex-restic-object-repository'
import { resticTokensIn } from './knex-restic-token-repository'
import { secondFactorsIn } from './knex-second-factor-repository'
import { sessionsIn } from './knex-session-store'
import { snapshotKeysIn } from './knex-snapshot-key-repository'
import { snapshotObjectsIn } from './knex-snapshot-object-index'
import { snapshotsIn } from './knex-snapshot-repository'
import { uploadSessionsIn } from './knex-upload-session-repository'

/**
 * Where login sessions are kept: in PostgreSQL (written in the transaction), or in another store (STORE=memory
 * keeps them in process memory), written once the work has succeeded, just before COMMIT, so a session store
 * failure rolls the rest back.
 */
export type SessionRecords = Readonly<{ kind: 'postgres' }> | Readonly<{ kind: 'store'; store: SessionStore }>

type Deferred = () => Promise<E.Either<Unavailable, void>>

const sessionsFor = (
  records: SessionRecords,
  access: AccountAccess,
  deferred: Array<Deferred>,
): AccountTransaction['sessions'] =>
  records.kind === 'postgres'
    ? sessionsIn(access)
    : {
        create: (session, refreshDigest) =>
          TE.fromIO(() => void deferred.push(records.store.create(session, refreshDigest))),
      }

const repositoriesIn = (
  access: AccountAccess,
  sessions: AccountTransaction['sessions'],
): AccountTransaction => ({
  accounts: accountsIn(access),
  devices: devicesIn(access),
  backups: backupsIn(access),
  audit: auditIn(access),
  uploads: uploadSessionsIn(access),
  resticObjects: resticObjectsIn(access),
  snapshotKeys: snapshotKeysIn(access),
  snapshotObjects: snapshotObjectsIn(access),
  snapshots: snapshotsIn(access),
  resticTokens: resticTokensIn(access),
  secondFactors: secondFactorsIn(access),
  keyRotations: keyRotationsIn(access),
  quota: quotaLedgerIn(access),
  sessions,
})

/** The work's Left, thrown into knex's transaction to roll it back; never leaves this module. */
class RolledBack<L> extends Error {
  constructor(readonly outcome: E.Left<L>) {
    super('rolled back')
  }
}

/** What the work itself threw (a bug): re-thrown once the transaction is rolled back. */
class WorkThrew extends Error {}

/** The work, then the deferred session writes; the first Left is the outcome. */
const runWork = async <Err, A>(
  trx: Knex.Transaction,
  sessions: SessionRecords,
  work: (tx: AccountTransaction) => TE.TaskEither<Err, A>,
): Promise<E.Either<Err | Unavailable, A>> => {
  const access = sharedTransaction(trx)
  const deferred: Array<Deferred> = []
  const outcome = await work(repositoriesIn(access, sessionsFor(sessions, access, deferred)))()
  if (E.isLeft(outcome)) return outcome
  for (const write of deferred) {
    const written = await write()
    if (E.isLeft(written)) return written
  }
  return outcome
}

export const knexUnitOfWork = (knex: Knex, sessions: SessionRecords = { kind: 'postgres' }): UnitOfWork => ({
  inAccount: (accountId, work) => async () => {
    try {
      return await accountTransaction(knex, accountId, async (trx) => {
        const outcome = await runWork(trx, sessions, work).catch((error: unknown) => {
          throw new WorkThrew('unit of work threw', { cause: error })
        })
        if (E.isLeft(outcome)) throw new RolledBack(outcome)
        return outcome
      })
    } catch (error) {
      if (error instanceof RolledBack) return (error as RolledBack<never>).outcome
      if (error instanceof WorkThrew) throw error.cause
      return E.left(unavailable('postgres')(error))
    }
  },
})
