/**
 * Small steps several use cases share: loading the caller's account, appending to the audit trail, and the
 * fresh-login check of the sensitive operations.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { Account } from '../../domain/account'
import type { AuditEventType } from '../../domain/audit'
import {
  type AccountNotFound,
  accountNotFound,
  type FreshLoginRequired,
  freshLoginRequired,
} from '../../domain/errors'
import type { AccountId, DeviceId } from '../../domain/ids'
import type { Caller, RequestContext } from '../context'
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

/**
 * Right when the caller's session logged in (OPAQUE) within `freshLoginSeconds`: the sensitive operations
 * (password change, account erasure, revoking another device, restic tokens) want a recent proof of the
 * password, not merely a live token, so a stolen token or an unlocked screen left behind cannot use them.
 */
export const ensureFreshLogin =
  (deps: Pick<Ports, 'clock' | 'settings'>) =>
  (caller: Caller): TE.TaskEither<FreshLoginRequired, void> =>
    TE.fromIOEither(() => {
      const maxAgeSeconds = deps.settings.freshLoginSeconds
      const ageMs = deps.clock.now().getTime() - caller.loggedInAt.getTime()
      return ageMs <= maxAgeSeconds * 1000 ? E.right(undefined) : E.left(freshLoginRequired(maxAgeSeconds))
    })
