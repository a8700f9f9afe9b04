import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { type Account, KeyBundle, OpaqueRecord, RecoveryVerifier } from '../../domain/account'
import type { UsernameTaken } from '../../domain/errors'
import { type AccountId, Username } from '../../domain/ids'
import type { RequestContext } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { recordEvent } from '../shared/steps'

export const FinishRegistrationInput = t.strict({
  username: Username,
  registrationRecord: OpaqueRecord,
  keyBundle: KeyBundle,
  recoveryVerifier: RecoveryVerifier,
})
export type FinishRegistrationInput = t.TypeOf<typeof FinishRegistrationInput>
export type FinishRegistrationOutput = Readonly<{ accountId: AccountId }>
export type FinishRegistrationError = UsernameTaken | Unavailable
/** Creates the account (version 1 key bundle, default quota) and records `registered`. */
export type FinishRegistration = (
  input: FinishRegistrationInput,
  ctx: RequestContext,
) => TE.TaskEither<FinishRegistrationError, FinishRegistrationOutput>
export type FinishRegistrationDeps = Pick<Ports, 'accounts' | 'audit' | 'clock' | 'ids' | 'settings'>

const newAccount = (deps: FinishRegistrationDeps, input: FinishRegistrationInput): Account => ({
  accountId: deps.ids.uuid() as AccountId,
  username: input.username,
  createdAt: deps.clock.now(),
  opaqueRecord: input.registrationRecord,
  keyBundle: input.keyBundle,
  keyBundleVersion: 1,
  recoveryVerifier: input.recoveryVerifier,
  quotaLimitBytes: deps.settings.defaultQuotaBytes,
  disabledAt: O.none,
})

export const finishRegistration =
  (deps: FinishRegistrationDeps): FinishRegistration =>
  (input, ctx) =>
    pipe(
      TE.fromIO(() => newAccount(deps, input)),
      TE.tap(deps.accounts.create),
      TE.tap((account) => recordEvent(deps)(account.accountId, 'registered', ctx)),
      TE.map(({ accountId }) => ({ accountId })),
    )
