/**
 * Steps the second-factor use cases share: the per-account limit on wrong codes, the record of a failure, and
 * checking a login's proof against the account's confirmed factors inside its transaction.
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import {
  type SecondFactorInvalid,
  secondFactorInvalid,
  type SecondFactorRequired,
  secondFactorRequired,
} from '../../domain/errors'
import type { AccountId } from '../../domain/ids'
import { type FactorProof, gatingFactors, isFreshStep, type SecondFactor } from '../../domain/second-factor'
import type { RequestContext } from '../context'
import type { RateLimited, Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import type { RateLimitRule } from '../ports/rate-limiter'
import type { AccountTransaction } from '../ports/unit-of-work'

/**
 * Wrong second factors per account: a 6-digit code has 10^6 values, so 5 tries every 15 minutes leave a guesser
 * about one chance in 10^4 a day. Only callers who proved the password (or hold a session) reach it, so nobody
 * else can lock the owner out through it.
 */
export const secondFactorRule: RateLimitRule = { name: 'second-factor', points: 5, windowSeconds: 15 * 60 }

const limitKey = (accountId: AccountId): string => `account:${accountId}`

/** Refused (RateLimited) before any code is checked when the account used up its tries. */
export const ensureFactorTriesLeft =
  (deps: Pick<Ports, 'limiter'>) =>
  (accountId: AccountId): TE.TaskEither<RateLimited | Unavailable, void> =>
    pipe(deps.limiter.peek(secondFactorRule, limitKey(accountId)), TE.asUnit)

/**
 * A wrong, replayed or unknown code: one try spent and `second-factor-failed` recorded (its own transaction,
 * as the failed one rolled back), then SecondFactorInvalid.
 */
export const noteFactorFailure =
  (deps: Pick<Ports, 'limiter' | 'audit' | 'clock'>) =>
  (accountId: AccountId, ctx: RequestContext): TE.TaskEither<SecondFactorInvalid | Unavailable, never> =>
    pipe(
      deps.limiter.consume(secondFactorRule, limitKey(accountId)),
      TE.orElseW((e) => (e._tag === 'RateLimited' ? TE.right(undefined) : TE.left(e))),
      TE.flatMap(() =>
        deps.audit.append(
          { accountId, type: 'second-factor-failed', deviceId: null, requestId: ctx.requestId },
          deps.clock.now(),
        ),
      ),
      TE.flatMap(() => TE.left(secondFactorInvalid)),
    )

/** The step of the first factor `code` opens, or null. */
const matchingStep = (
  deps: Pick<Ports, 'factorSecrets' | 'clock'>,
  factors: ReadonlyArray<SecondFactor>,
  code: string,
): Readonly<{ factor: SecondFactor; step: number }> | null => {
  const now = deps.clock.now()
  for (const factor of factors) {
    const step = deps.factorSecrets.totpStep(factor.accountId, factor.sealedSecret, code, now)
    if (step !== null) return { factor, step }
  }
  return null
}

/** Which proof opened the login: none was needed, a TOTP code, or a recovery code (now spent). */
export type FactorOutcome = 'not-enrolled' | 'totp' | 'recovery-code'

/**
 * Inside the login's transaction: an account without a confirmed factor needs none; otherwise `proof` must be a
 * TOTP code of a step after the factor's last one (taken now, so it is never taken again) or an unspent
 * recovery code (spent now). Missing: SecondFactorRequired. Wrong, replayed or spent: SecondFactorInvalid.
 */
export const checkSecondFactor =
  (deps: Pick<Ports, 'factorSecrets' | 'clock'>) =>
  (
    tx: AccountTransaction,
    accountId: AccountId,
    proof: FactorProof | undefined,
  ): TE.TaskEither<SecondFactorRequired | SecondFactorInvalid | Unavailable, FactorOutcome> =>
    pipe(
      tx.secondFactors.list(accountId),
      TE.map(gatingFactors),
      TE.flatMap(
        (factors): TE.TaskEither<SecondFactorRequired | SecondFactorInvalid | Unavailable, FactorOutcome> => {
          if (factors.length === 0) return TE.right('not-enrolled')
          if (proof === undefined) return TE.left(secondFactorRequired(['totp', 'recovery-code']))
          const now = deps.clock.now()
          if (proof.kind === 'recovery-code')
            return pipe(
              tx.secondFactors.spendRecoveryCode(
                accountId,
                deps.factorSecrets.recoveryCodeDigest(accountId, proof.code),
                now,
              ),
              TE.flatMap((spent) =>
                spent ? TE.right('recovery-code' as const) : TE.left(secondFactorInvalid),
              ),
            )
          const match = matchingStep(deps, factors, proof.code)
          if (match === null || !isFreshStep(match.factor, match.step)) return TE.left(secondFactorInvalid)
          return pipe(
            tx.secondFactors.acceptStep(accountId, match.factor.factorId, match.step, now),
            TE.flatMap((taken) => (taken ? TE.right('totp' as const) : TE.left(secondFactorInvalid))),
          )
        },
      ),
    )
