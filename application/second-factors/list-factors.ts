import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { FactorId, FactorKind } from '../../domain/second-factor'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'

export type FactorSummary = Readonly<{
  factorId: FactorId
  kind: FactorKind
  createdAt: Date
  confirmed: boolean
}>
/** The account's factors (never their secrets) and how many recovery codes are left unspent. */
export type FactorList = Readonly<{ factors: ReadonlyArray<FactorSummary>; recoveryCodesLeft: number }>
export type ListFactors = (caller: Caller) => TE.TaskEither<Unavailable, FactorList>
export type ListFactorsDeps = Pick<Ports, 'unitOfWork'>

export const listFactors =
  (deps: ListFactorsDeps): ListFactors =>
  (caller) =>
    deps.unitOfWork.inAccount(caller.accountId, (tx) =>
      pipe(
        TE.Do,
        TE.apS('stored', tx.secondFactors.list(caller.accountId)),
        TE.apS('recoveryCodesLeft', tx.secondFactors.recoveryCodesLeft(caller.accountId)),
        TE.map(({ stored, recoveryCodesLeft }) => ({
          factors: stored.map((f) => ({
            factorId: f.factorId,
            kind: f.kind,
            createdAt: f.createdAt,
            confirmed: f.confirmedAt !== null,
          })),
          recoveryCodesLeft,
        })),
      ),
    )
