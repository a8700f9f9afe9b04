import * as t from 'io-ts'
import type * as TE from 'fp-ts/TaskEither'
import { OpaqueRecord, WrappedUmk } from '../../domain/account'
import type { AccountNotFound, InvalidProtocolMessage, VersionMismatch } from '../../domain/errors'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports'
import { OpaqueMessage, Version } from './codecs'

export const StartPasswordChangeInput = t.strict({ registrationRequest: OpaqueMessage })
export type StartPasswordChangeInput = t.TypeOf<typeof StartPasswordChangeInput>
/** OPAQUE re-registration step 1 for the caller's own username. */
export type StartPasswordChange = (
  input: StartPasswordChangeInput,
  caller: Caller,
) => TE.TaskEither<
  AccountNotFound | InvalidProtocolMessage | Unavailable,
  { readonly registrationResponse: string }
>
export type StartPasswordChangeDeps = Pick<Ports, 'accounts' | 'opaque'>

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
