import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { FreshLoginRequired } from '../../domain/errors'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { ensureFreshLogin } from '../shared/steps'

/**
 * Erases everything the account owns: sessions, blobs, backups, devices, audit trail, the account. Needs a
 * fresh login (FreshLoginRequired).
 */
export type DeleteAccount = (caller: Caller) => TE.TaskEither<FreshLoginRequired | Unavailable, void>
export type DeleteAccountDeps = Pick<Ports, 'accounts' | 'sessions' | 'blobs' | 'clock' | 'settings'>

/**
 * Blobs go first, so a failure never strands ciphertext that no record leads to; sessions go last, so after
 * a failure the caller still holds a working session and can retry.
 */
export const deleteAccount =
  (deps: DeleteAccountDeps): DeleteAccount =>
  (caller) =>
    pipe(
      ensureFreshLogin(deps)(caller),
      TE.flatMap(() => deps.blobs.deleteAccount(caller.accountId)),
      TE.flatMap(() => deps.accounts.delete(caller.accountId)),
      TE.flatMap(() => deps.sessions.revokeAccount(caller.accountId)),
    )
