import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as TE from 'fp-ts/TaskEither'
import { type FactorNotFound, factorNotFound, type FreshLoginRequired } from '../../domain/errors'
import { FactorId, gatingFactors } from '../../domain/second-factor'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { ensureFreshLogin } from '../shared/steps'

export const RemoveFactorInput = t.strict({ factorId: FactorId })
export type RemoveFactorInput = t.TypeOf<typeof RemoveFactorInput>
/**
 * Removes a factor and records `second-factor-removed`; with the last confirmed one go the recovery codes, and
 * logins need the password alone again. Needs a fresh login: otherwise a stolen token could strip the factor
 * that stands between a phished password and the account.
 */
export type RemoveFactor = (
  input: RemoveFactorInput,
  caller: Caller,
) => TE.TaskEither<FreshLoginRequired | FactorNotFound | Unavailable, void>
export type RemoveFactorDeps = Pick<Ports, 'unitOfWork' | 'clock' | 'settings'>

export const removeFactor =
  (deps: RemoveFactorDeps): RemoveFactor =>
  (input, caller) =>
    pipe(
      ensureFreshLogin(deps)(caller),
      TE.flatMap(() =>
        deps.unitOfWork.inAccount(caller.accountId, (tx) =>
          pipe(
            tx.secondFactors.remove(caller.accountId, input.factorId),
            TE.filterOrElseW(
              (removed) => removed,
              () => factorNotFound,
            ),
            TE.flatMap(() => tx.secondFactors.list(caller.accountId)),
            TE.flatMap((left) =>
              gatingFactors(left).length === 0
                ? tx.secondFactors.replaceRecoveryCodes(caller.accountId, [])
                : TE.right(undefined),
            ),
            TE.flatMap(() =>
              tx.audit.append(
                {
                  accountId: caller.accountId,
                  type: 'second-factor-removed',
                  deviceId: caller.deviceId,
                  requestId: caller.requestId,
                },
                deps.clock.now(),
              ),
            ),
            TE.asUnit,
          ),
        ),
      ),
    )
