import * as t from 'io-ts'
import type * as TE from 'fp-ts/TaskEither'
import { KeyBundle, OpaqueRecord, RecoveryVerifier } from '../../domain/account'
import type { UsernameTaken } from '../../domain/errors'
import { type AccountId, Username } from '../../domain/ids'
import type { RequestContext } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports'

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
