import type * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { Account } from '../../domain/account'
import type { AccountId, BackupId } from '../../domain/ids'
import type { Unavailable } from '../errors'

/**
 * Bytes the account stores (backups live and trashed, restic objects, indexed snapshot objects each id once) and
 * bytes open resumable uploads reserve.
 */
export type QuotaUsage = Readonly<{ usedBytes: number; reservedBytes: number }>

/** The account and the bytes it stores, read together. */
export type QuotaStanding = Readonly<{ account: Account; usedBytes: number }>

/**
 * One account's storage as quotas count it, handed out inside a UnitOfWork transaction only: the per-account
 * lock, the bytes stored, and the bytes reserved by open resumable uploads. The arithmetic (stored + reserved +
 * incoming against the limit) is application/shared/quota.ts, used by every use case that checks the quota.
 * Implementations: adapters/persistence/knex/knex-quota-ledger.ts, adapters/in-memory/in-memory-quota-ledger.ts.
 * Contract: test/contracts/unit-of-work.contract.ts. Lazy; never rejects: failures arrive as Left.
 */
export type QuotaLedger = {
  /**
   * Takes the account's lock until the transaction ends and returns the account as it stands under it; `none`
   * once the account is deleted. Transactions of one account that take it run one after the other from here on:
   * a quota check and the write it allows, audit appends (which take it themselves when not held) and key
   * rotations never interleave.
   */
  readonly lock: (accountId: AccountId) => TE.TaskEither<Unavailable, O.Option<Account>>
  /** The account and its stored bytes in one read, without the lock (checks before streaming); `none` once deleted. */
  readonly standing: (accountId: AccountId) => TE.TaskEither<Unavailable, O.Option<QuotaStanding>>
  /**
   * Stored and reserved bytes, as they stand under the lock. `except` names a backup being committed: the
   * reservation of the resumable upload becoming that backup is left out (its bytes are the ones being stored).
   */
  readonly usage: (accountId: AccountId, except?: BackupId) => TE.TaskEither<Unavailable, QuotaUsage>
}
