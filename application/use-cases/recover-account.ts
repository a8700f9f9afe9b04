import * as t from 'io-ts'
import type * as TE from 'fp-ts/TaskEither'
import { OpaqueRecord, WrappedUmk } from '../../domain/account'
import type { InvalidRecoveryProof } from '../../domain/errors'
import { BearerSecret, Username } from '../../domain/ids'
import type { RequestContext } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports'
import { RecoveryProof } from './codecs'

export const StartRecoveryInput = t.strict({ username: Username, recoveryProof: RecoveryProof })
export type StartRecoveryInput = t.TypeOf<typeof StartRecoveryInput>
/**
 * Checks SHA-256(recoveryProof) against the stored verifier in constant time. An unknown username and a
 * wrong proof fail alike. The token is single use and lives `recoveryTokenTtlSeconds`.
 */
export type StartRecovery = (
  input: StartRecoveryInput,
  ctx: RequestContext,
) => TE.TaskEither<InvalidRecoveryProof | Unavailable, { readonly recoveryToken: string }>
export type StartRecoveryDeps = Pick<Ports, 'accounts' | 'loginStates' | 'hasher' | 'ids' | 'settings'>

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
/** Consumes the token, stores the new credentials, ends every session and records `recovered`. */
export type FinishRecovery = (
  input: FinishRecoveryInput,
  ctx: RequestContext,
) => TE.TaskEither<InvalidRecoveryProof | Unavailable, { readonly keyBundleVersion: number }>
export type FinishRecoveryDeps = Pick<Ports, 'accounts' | 'loginStates' | 'sessions' | 'audit' | 'clock'>
