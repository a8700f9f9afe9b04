import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { VersionMismatch } from '../../domain/errors'
import type { RequestContext } from '../context'
import { type AccountName, type AccountRef, type FindError, nameOf } from './account-steps'
import { disableAccountByOperator } from './disable-account'
import type { AdminPorts } from './ports'

/**
 * Erases the account and everything it owns: blobs, backups, devices, restic tokens and objects, its audit
 * trail. It is disabled first (sessions ended, logins refused), so nothing new arrives while its blobs go;
 * blobs go before the records that lead to them, so a failure strands no ciphertext, and the account, still
 * disabled, is erased by running the command again. Its trail is erased with it: the operator's record of the
 * deletion is the command's own output (and the server's log line, over the admin socket).
 */
export type DeleteAccountByOperator = (
  ref: AccountRef,
  ctx: RequestContext,
) => TE.TaskEither<FindError | VersionMismatch, AccountName>
export const deleteAccountByOperator =
  (
    deps: Pick<AdminPorts, 'accounts' | 'unitOfWork' | 'sessions' | 'clock' | 'blobs'>,
  ): DeleteAccountByOperator =>
  (ref, ctx) =>
    pipe(
      disableAccountByOperator(deps)(ref, ctx),
      TE.map(nameOf),
      TE.tap(({ accountId }) => deps.blobs.deleteAccount(accountId)),
      TE.tap(({ accountId }) => deps.accounts.delete(accountId)),
    )
