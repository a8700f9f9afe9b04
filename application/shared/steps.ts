/** Small steps several use cases share: loading the caller's account and appending to the audit trail. */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { Account } from '../../domain/account'
import type { AuditEventType } from '../../domain/audit'
import { type AccountNotFound, accountNotFound } from '../../domain/errors'
import type { AccountId, DeviceId } from '../../domain/ids'
import type { RequestContext } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'

/** Appends one event, stamped with the Clock's time when the task runs. */
export const recordEvent =
  (deps: Pick<Ports, 'audit' | 'clock'>) =>
  (
    accountId: AccountId,
    type: AuditEventType,
    ctx: RequestContext,
    deviceId: DeviceId | null = null,
  ): TE.TaskEither<Unavailable, void> =>
    pipe(
      TE.fromIO(deps.clock.now),
      TE.flatMap((at) => deps.audit.append({ accountId, type, deviceId, requestId: ctx.requestId }, at)),
      TE.asUnit,
    )

/** The account, or AccountNotFound (deleted while a token was still valid). */
export const loadAccount =
  (deps: Pick<Ports, 'accounts'>) =>
  (accountId: AccountId): TE.TaskEither<AccountNotFound | Unavailable, Account> =>
    pipe(deps.accounts.findById(accountId), TE.flatMap(TE.fromOption(() => accountNotFound)))

/** The UTF-8 bytes of a bearer secret, as hashed before storage. */
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
