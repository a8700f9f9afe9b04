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
/** Consumes the token, stores the new credentials, ends every session and records `recovered`. */
export type FinishRecovery = (
  input: FinishRecoveryInput,
  ctx: RequestContext,
) => TE.TaskEither<InvalidRecoveryProof | Unavailable, { readonly keyBundleVersion: number }>
export type FinishRecoveryDeps = Pick<Ports, 'accounts' | 'loginStates' | 'sessions' | 'audit' | 'clock'>

/** The token is already spent, so a concurrent key-bundle update is retried rather than failed. */
const maxAttempts = 3

const storeCredentials =
  (deps: FinishRecoveryDeps, input: FinishRecoveryInput) =>
  (accountId: AccountId, attempt = 1): TE.TaskEither<InvalidRecoveryProof | Unavailable, Account> =>
    pipe(
      deps.accounts.findById(accountId),
      TE.flatMap(TE.fromOption(() => invalidRecoveryProof)),
      TE.flatMap((account) => {
        const updated = replacePassword(account, input.registrationRecord, input.passwordWrappedUmk)
        return pipe(
          deps.accounts.save(updated, account.keyBundleVersion),
          TE.as(updated),
          TE.orElse((e) =>
            e._tag !== 'VersionMismatch'
              ? TE.left(e)
              : attempt < maxAttempts
                ? storeCredentials(deps, input)(accountId, attempt + 1)
                : TE.left(unavailable('accounts')(e)),
          ),
        )
      }),
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
      TE.flatMap(storeCredentials(deps, input)),
      TE.tap(({ accountId }) => deps.sessions.revokeAccount(accountId)),
      TE.tap(({ accountId }) => recordEvent(deps)(accountId, 'recovered', ctx)),
      TE.map(({ keyBundleVersion }) => ({ keyBundleVersion })),
    )
