import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import {
  type FactorNotFound,
  factorNotFound,
  type SecondFactorInvalid,
  secondFactorInvalid,
} from '../../domain/errors'
import { FactorId, gatingFactors, recoveryCodeCount, TotpCode } from '../../domain/second-factor'
import type { Caller } from '../context'
import type { RateLimited, Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import type { AccountTransaction } from '../ports/unit-of-work'
import { ensureFactorTriesLeft, noteFactorFailure } from './factor-steps'

export const ConfirmTotpInput = t.strict({ factorId: FactorId, code: TotpCode })
export type ConfirmTotpInput = t.TypeOf<typeof ConfirmTotpInput>
/** The recovery codes, shown once: handed out with the account's first factor (empty for a later one). */
export type ConfirmedTotp = Readonly<{ recoveryCodes: ReadonlyArray<string> }>
/**
 * Confirms a TOTP enrolment with a valid code from the app (its step is taken, so that code is spent): from now
 * on logins need a second factor. The first factor comes with fresh recovery codes. Records
 * `second-factor-enrolled`. A wrong code spends one of the account's tries (RateLimited once none are left).
 */
export type ConfirmTotp = (
  input: ConfirmTotpInput,
  caller: Caller,
) => TE.TaskEither<FactorNotFound | SecondFactorInvalid | RateLimited | Unavailable, ConfirmedTotp>
export type ConfirmTotpDeps = Pick<Ports, 'unitOfWork' | 'factorSecrets' | 'clock' | 'limiter' | 'audit'>

type Refusal = FactorNotFound | SecondFactorInvalid | Unavailable

/** The first factor brings recovery codes; only their digests are stored. */
const recoveryCodesFor = (
  deps: ConfirmTotpDeps,
  tx: AccountTransaction,
  caller: Caller,
  firstFactor: boolean,
): TE.TaskEither<Unavailable, ReadonlyArray<string>> => {
  if (!firstFactor) return TE.right([])
  const codes = deps.factorSecrets.newRecoveryCodes(recoveryCodeCount)
  const digests = codes.map((c) => deps.factorSecrets.recoveryCodeDigest(caller.accountId, c))
  return pipe(tx.secondFactors.replaceRecoveryCodes(caller.accountId, digests), TE.as(codes))
}

const confirmIn =
  (deps: ConfirmTotpDeps, input: ConfirmTotpInput, caller: Caller) =>
  (tx: AccountTransaction): TE.TaskEither<Refusal, ConfirmedTotp> =>
    pipe(
      tx.secondFactors.list(caller.accountId),
      TE.flatMap((factors): TE.TaskEither<Refusal, ConfirmedTotp> => {
        const factor = factors.find((f) => f.factorId === input.factorId && f.confirmedAt === null)
        if (factor === undefined) return TE.left(factorNotFound)
        const now = deps.clock.now()
        const step = deps.factorSecrets.totpStep(caller.accountId, factor.sealedSecret, input.code, now)
        if (step === null) return TE.left(secondFactorInvalid)
        return pipe(
          tx.secondFactors.acceptStep(caller.accountId, factor.factorId, step, now),
          TE.flatMap((taken) => (taken ? TE.right(undefined) : TE.left(secondFactorInvalid))),
          TE.flatMap(() => recoveryCodesFor(deps, tx, caller, gatingFactors(factors).length === 0)),
          TE.tap(() =>
            tx.audit.append(
              {
                accountId: caller.accountId,
                type: 'second-factor-enrolled',
                deviceId: caller.deviceId,
                requestId: caller.requestId,
              },
              now,
            ),
          ),
          TE.map((recoveryCodes) => ({ recoveryCodes })),
        )
      }),
    )

export const confirmTotp =
  (deps: ConfirmTotpDeps): ConfirmTotp =>
  (input, caller) =>
    pipe(
      ensureFactorTriesLeft(deps)(caller.accountId),
      TE.flatMap(() => deps.unitOfWork.inAccount(caller.accountId, confirmIn(deps, input, caller))),
      TE.orElse(
        (
          e,
        ): TE.TaskEither<FactorNotFound | SecondFactorInvalid | RateLimited | Unavailable, ConfirmedTotp> =>
          e._tag === 'SecondFactorInvalid' ? noteFactorFailure(deps)(caller.accountId, caller) : TE.left(e),
      ),
    )
