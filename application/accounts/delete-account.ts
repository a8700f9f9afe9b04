import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'

/** Erases everything the account owns: sessions, blobs, backups, devices, audit trail, the account. */
export type DeleteAccount = (caller: Caller) => TE.TaskEither<Unavailable, void>
export type DeleteAccountDeps = Pick<Ports, 'accounts' | 'sessions' | 'blobs'>

/**
 * Blobs go first, so a failure never strands ciphertext that no record leads to; sessions go last, so after
 * a failure the caller still holds a working session and can retry.
 */
export const deleteAccount =
  (deps: DeleteAccountDeps): DeleteAccount =>
  (caller) =>
    pipe(
      deps.blobs.deleteAccount(caller.accountId),
      TE.flatMap(() => deps.accounts.delete(caller.accountId)),
      TE.flatMap(() => deps.sessions.revokeAccount(caller.accountId)),
    )
