import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { OpaqueRecord, replacePassword, WrappedUmk } from '../../domain/account'
import {
  type AccountNotFound,
  accountNotFound,
  type FreshLoginRequired,
  type VersionMismatch,
  versionMismatch,
} from '../../domain/errors'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { Version } from '../shared/codecs'
import { ensureFreshLogin, recordEvent } from '../shared/steps'

export const FinishPasswordChangeInput = t.strict({
  expectedVersion: Version,
  registrationRecord: OpaqueRecord,
  passwordWrappedUmk: WrappedUmk,
})
export type FinishPasswordChangeInput = t.TypeOf<typeof FinishPasswordChangeInput>
/**
 * Stores the new OPAQUE record and password-wrapped UMK (key bundle version + 1), revokes every restic token
 * but those the caller's session made, ends every other session of the account and records `password-changed`.
 * Needs a fresh login (FreshLoginRequired).
 */
export type FinishPasswordChange = (
  input: FinishPasswordChangeInput,
  caller: Caller,
) => TE.TaskEither<
  AccountNotFound | FreshLoginRequired | VersionMismatch | Unavailable,
  { readonly keyBundleVersion: number }
>
export type FinishPasswordChangeDeps = Pick<Ports, 'unitOfWork' | 'sessions' | 'clock' | 'settings'>

/**
 * One transaction under the account's lock: the credentials, the restic tokens of other sessions and devices,
 * and the event commit together, so no stolen token outlives a password change that succeeded. Sessions may
 * live in another store: they end once it committed (a failure there leaves them, and the caller is told).
 */
export const finishPasswordChange =
  (deps: FinishPasswordChangeDeps): FinishPasswordChange =>
  (input, caller) =>
    pipe(
      ensureFreshLogin(deps)(caller),
      TE.flatMap(() =>
        deps.unitOfWork.inAccount(caller.accountId, (tx) =>
          pipe(
            tx.quota.lock(caller.accountId),
            TE.flatMap(TE.fromOption(() => accountNotFound)),
            TE.filterOrElseW(
              (account) => account.keyBundleVersion === input.expectedVersion,
              (account) => versionMismatch(account.keyBundleVersion),
            ),
            TE.map((account) => replacePassword(account, input.registrationRecord, input.passwordWrappedUmk)),
            TE.tap((updated) => tx.accounts.save(updated, input.expectedVersion)),
            TE.tap(() => tx.resticTokens.revokeAccount(caller.accountId, caller.sessionId)),
            TE.tap(() =>
              recordEvent({ audit: tx.audit, clock: deps.clock })(
                caller.accountId,
                'password-changed',
                caller,
                caller.deviceId,
              ),
            ),
          ),
        ),
      ),
      TE.tap(() => deps.sessions.revokeAccount(caller.accountId, caller.sessionId)),
      TE.map(({ keyBundleVersion }) => ({ keyBundleVersion })),
    )
