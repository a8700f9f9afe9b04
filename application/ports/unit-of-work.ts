import type * as TE from 'fp-ts/TaskEither'
import type { AccountId } from '../../domain/ids'
import type { Unavailable } from '../errors'
import type { AccountRepository } from './account-repository'
import type { AuditRepository } from './audit-repository'
import type { BackupRepository } from './backup-repository'
import type { DeviceRepository } from './device-repository'
import type { KeyRotationRepository } from './key-rotation-repository'
import type { QuotaLedger } from './quota-ledger'
import type { ResticObjectRepository } from './restic-object-repository'
import type { ResticTokenRepository } from './restic-token-repository'
import type { SecondFactorRepository } from './second-factor-repository'
import type { SessionStore } from './session-store'
import type { SnapshotKeyRepository } from './snapshot-key-repository'
import type { SnapshotObjectIndex } from './snapshot-object-index'
import type { SnapshotRepository } from './snapshot-repository'
import type { UploadSessionRepository } from './upload-session-repository'

/**
 * What one account's transaction hands out: the repositories, scoped to that account (another account's rows
 * are neither seen nor written: row-level security in PostgreSQL), and its quota ledger, all in the same
 * transaction. Listings across accounts (maintenance, lookups before authentication) are not offered here.
 */
export type AccountTransaction = Readonly<{
  accounts: Omit<AccountRepository, 'findByUsername'>
  devices: DeviceRepository
  backups: Omit<BackupRepository, 'dueForPurge' | 'referencedBlobs'>
  audit: AuditRepository
  uploads: Omit<UploadSessionRepository, 'expired'>
  resticObjects: ResticObjectRepository
  /** Snapshots (protocol v1.1): reachable only here, so every use of them is one account's transaction. */
  snapshotKeys: SnapshotKeyRepository
  snapshotObjects: SnapshotObjectIndex
  snapshots: SnapshotRepository
  resticTokens: Omit<ResticTokenRepository, 'findGrant'>
  secondFactors: SecondFactorRepository
  /** Staged key rotations: begin, pages of re-wrapped keys, commit or abort. */
  keyRotations: KeyRotationRepository
  quota: QuotaLedger
  /**
   * Opens login sessions with the rest: in the same transaction where sessions are kept in the same database,
   * otherwise written to their store once the work has succeeded, just before it commits (a session store
   * failure then discards the rest; a work that fails writes no session).
   */
  sessions: Pick<SessionStore, 'create'>
}>

/**
 * Runs several repository calls of one account as one unit: all of them take effect, or none.
 * PostgreSQL: one transaction that first names the account (`set_config('zkeb.account_id', …, true)`), so
 * row-level security scopes every statement in it. In memory: a copy-on-write view of the account's rows, made
 * visible only when the work succeeds. A Left from `work` discards everything it wrote; so does a throw (or a
 * rejected task), which is then re-thrown: it is a bug, not a failure.
 * Transactions of one account that take the ledger's lock (QuotaLedger.lock) run one after the other from there.
 * Outside `inAccount`, every call of the repositories in Ports is a transaction of its own.
 * Implementations: adapters/persistence/knex/knex-unit-of-work.ts, adapters/in-memory/in-memory-unit-of-work.ts.
 * Contract: test/contracts/unit-of-work.contract.ts. Lazy: nothing runs until the task does.
 */
export type UnitOfWork = {
  readonly inAccount: <E, A>(
    accountId: AccountId,
    work: (tx: AccountTransaction) => TE.TaskEither<E, A>,
  ) => TE.TaskEither<E | Unavailable, A>
}
