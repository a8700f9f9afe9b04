import type * as TE from 'fp-ts/TaskEither'
import type { AccountId } from '../../domain/ids'
import type { FactorId, SecondFactor } from '../../domain/second-factor'
import type { Unavailable } from '../errors'

/**
 * An account's second factors and one-time recovery codes. Reached only inside a UnitOfWork (AccountTransaction),
 * so every use is one account's transaction, under row-level security in PostgreSQL.
 * SECURITY: TOTP secrets arrive sealed (FactorSecrets) and recovery codes as keyed digests; nothing here is in
 * clear. Implementations: adapters/persistence/knex/knex-second-factor-repository.ts,
 * adapters/in-memory/in-memory-second-factor-repository.ts. Contract: test/contracts/second-factor-repository.contract.ts.
 */
export type SecondFactorRepository = {
  /** The account's factors, oldest first, confirmed or not. */
  readonly list: (accountId: AccountId) => TE.TaskEither<Unavailable, ReadonlyArray<SecondFactor>>
  readonly add: (factor: SecondFactor) => TE.TaskEither<Unavailable, void>
  /**
   * Accepts TOTP time step `step` for the factor: it becomes the last step taken, and the factor is confirmed at
   * `at` if it was not. `false` (nothing written) when the factor is unknown or `step` is not after its last
   * step: a replayed code.
   */
  readonly acceptStep: (
    accountId: AccountId,
    factorId: FactorId,
    step: number,
    at: Date,
  ) => TE.TaskEither<Unavailable, boolean>
  /** Removes the factor; `false` when the account has no such factor. */
  readonly remove: (accountId: AccountId, factorId: FactorId) => TE.TaskEither<Unavailable, boolean>
  /** Replaces every recovery code of the account with these digests (none: the account has no codes). */
  readonly replaceRecoveryCodes: (
    accountId: AccountId,
    digests: ReadonlyArray<string>,
  ) => TE.TaskEither<Unavailable, void>
  /** Spends the unspent code with this digest; `false` when there is none (unknown or already spent). */
  readonly spendRecoveryCode: (
    accountId: AccountId,
    digest: string,
    at: Date,
  ) => TE.TaskEither<Unavailable, boolean>
  /** How many codes are left unspent. */
  readonly recoveryCodesLeft: (accountId: AccountId) => TE.TaskEither<Unavailable, number>
}
