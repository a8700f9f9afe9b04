import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { type Account, OpaqueRecord, replacePassword, WrappedUmk } from '../../domain/account'
import { type InvalidRecoveryProof, invalidRecoveryProof } from '../../domain/errors'
import { type AccountId, BearerSecret } from '../../domain/ids'
import type { RequestContext } from '../context'
import { type Unavailable, unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { recordEvent } from '../shared/steps'

/**
 * The re-registration: the client obtained its registrationResponse from the stateless
 * registration/start step, and sends the new record with a new password-wrapped UMK.
 */
export const FinishRecoveryInput = t.strict({
  recoveryToken: BearerSecret,
  registrationRecord: OpaqueRecord,
  passwordWrappedUmk: WrappedUmk,
})
export type FinishRecoveryInput = t.TypeOf<typeof FinishRecoveryInput>
/**
 * Consumes the token, stores the new credentials, revokes every restic token, ends every session and records
 * `recovered`: whoever held the account before (a phished session included) keeps no way in.
 */
export type FinishRecovery = (
  input: FinishRecoveryInput,
  ctx: RequestContext,
) => TE.TaskEither<InvalidRecoveryProof | Unavailable, { readonly keyBundleVersion: number }>
export type FinishRecoveryDeps = Pick<Ports, 'unitOfWork' | 'loginStates' | 'sessions' | 'clock'>

/**
 * One transaction under the account's lock: the credentials (at whatever key bundle version stands: the token
 * is already spent, so a rotation that committed meanwhile is built upon, not failed), every restic token and
 * the event commit together. Sessions may live in another store: they end once it committed.
 */
const storeCredentials =
  (deps: FinishRecoveryDeps, input: FinishRecoveryInput, ctx: RequestContext) =>
  (accountId: AccountId): TE.TaskEither<InvalidRecoveryProof | Unavailable, Account> =>
    deps.unitOfWork.inAccount(accountId, (tx) =>
      pipe(
        tx.quota.lock(accountId),
        TE.flatMap(TE.fromOption(() => invalidRecoveryProof)),
        TE.map((account) => ({
          account,
          updated: replacePassword(account, input.registrationRecord, input.passwordWrappedUmk),
        })),
        TE.tap(({ account, updated }) =>
          pipe(
            tx.accounts.save(updated, account.keyBundleVersion),
            // Under the lock the version cannot move; a mismatch would be a broken ledger.
            TE.mapError((e) => (e._tag === 'VersionMismatch' ? unavailable('accounts')(e) : e)),
          ),
        ),
        TE.tap(() => tx.resticTokens.revokeAccount(accountId)),
        TE.tap(() => recordEvent({ audit: tx.audit, clock: deps.clock })(accountId, 'recovered', ctx)),
        TE.map(({ updated }) => updated),
      ),
    )

export const finishRecovery =
  (deps: FinishRecoveryDeps): FinishRecovery =>
  (input, ctx) =>
    pipe(
      deps.loginStates.take(input.recoveryToken),
      TE.flatMap((pending) =>
        O.isSome(pending) && pending.value.kind === 'recovery'
          ? TE.right(pending.value.accountId)
          : TE.left(invalidRecoveryProof),
      ),
      TE.flatMap(storeCredentials(deps, input, ctx)),
      TE.tap(({ accountId }) => deps.sessions.revokeAccount(accountId)),
      TE.map(({ keyBundleVersion }) => ({ keyBundleVersion })),
    )
