import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { OpaqueRecord, replacePassword, WrappedUmk } from '../../domain/account'
import { type AccountNotFound, type VersionMismatch, versionMismatch } from '../../domain/errors'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { Version } from '../shared/codecs'
import { loadAccount, recordEvent } from '../shared/steps'

export const FinishPasswordChangeInput = t.strict({
  expectedVersion: Version,
  registrationRecord: OpaqueRecord,
  passwordWrappedUmk: WrappedUmk,
})
export type FinishPasswordChangeInput = t.TypeOf<typeof FinishPasswordChangeInput>
/**
 * Stores the new OPAQUE record and password-wrapped UMK (key bundle version + 1), ends every other session
 * of the account and records `password-changed`.
 */
export type FinishPasswordChange = (
  input: FinishPasswordChangeInput,
  caller: Caller,
) => TE.TaskEither<AccountNotFound | VersionMismatch | Unavailable, { readonly keyBundleVersion: number }>
export type FinishPasswordChangeDeps = Pick<Ports, 'accounts' | 'sessions' | 'audit' | 'clock'>

export const finishPasswordChange =
  (deps: FinishPasswordChangeDeps): FinishPasswordChange =>
  (input, caller) =>
    pipe(
      loadAccount(deps)(caller.accountId),
      TE.filterOrElseW(
        (account) => account.keyBundleVersion === input.expectedVersion,
        (account) => versionMismatch(account.keyBundleVersion),
      ),
      TE.map((account) => replacePassword(account, input.registrationRecord, input.passwordWrappedUmk)),
      TE.tap((updated) => deps.accounts.save(updated, input.expectedVersion)),
      TE.tap(() => deps.sessions.revokeAccount(caller.accountId, caller.sessionId)),
      TE.tap(() => recordEvent(deps)(caller.accountId, 'password-changed', caller, caller.deviceId)),
      TE.map(({ keyBundleVersion }) => ({ keyBundleVersion })),
    )
