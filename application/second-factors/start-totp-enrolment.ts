import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { AccountNotFound, FreshLoginRequired } from '../../domain/errors'
import type { FactorId } from '../../domain/second-factor'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { ensureFreshLogin, loadAccount } from '../shared/steps'

/** Shown once, to be put in an authenticator app; the server keeps the secret sealed. */
export type TotpEnrolment = Readonly<{ factorId: FactorId; secret: string; otpauthUri: string }>
/**
 * Starts a TOTP enrolment: a new secret, kept sealed and unconfirmed (it gates nothing until ConfirmTotp proves
 * the app has it). Earlier unconfirmed enrolments are dropped. Needs a fresh login: a factor added by a stolen
 * token would lock the owner out.
 */
export type StartTotpEnrolment = (
  caller: Caller,
) => TE.TaskEither<FreshLoginRequired | AccountNotFound | Unavailable, TotpEnrolment>
export type StartTotpEnrolmentDeps = Pick<
  Ports,
  'unitOfWork' | 'accounts' | 'factorSecrets' | 'ids' | 'clock' | 'settings'
>

export const startTotpEnrolment =
  (deps: StartTotpEnrolmentDeps): StartTotpEnrolment =>
  (caller) =>
    pipe(
      ensureFreshLogin(deps)(caller),
      TE.flatMap(() => loadAccount(deps)(caller.accountId)),
      TE.flatMap((account) =>
        deps.unitOfWork.inAccount(caller.accountId, (tx) => {
          const totp = deps.factorSecrets.newTotp(caller.accountId, account.username)
          const factorId = deps.ids.uuid() as FactorId
          return pipe(
            tx.secondFactors.list(caller.accountId),
            TE.flatMap((factors) =>
              TE.sequenceSeqArray(
                factors
                  .filter((f) => f.confirmedAt === null)
                  .map((f) => tx.secondFactors.remove(caller.accountId, f.factorId)),
              ),
            ),
            TE.flatMap(() =>
              tx.secondFactors.add({
                accountId: caller.accountId,
                factorId,
                kind: 'totp',
                sealedSecret: totp.sealed,
                lastStep: null,
                createdAt: deps.clock.now(),
                confirmedAt: null,
              }),
            ),
            TE.as({ factorId, secret: totp.secretBase32, otpauthUri: totp.uri }),
          )
        }),
      ),
    )
