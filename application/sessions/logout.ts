import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'
import { recordEvent } from '../shared/steps'

/** Ends the caller's session (its access and refresh tokens stop working at once) and records `logout`. */
export type Logout = (caller: Caller) => TE.TaskEither<Unavailable, void>
export type LogoutDeps = Pick<Ports, 'sessions' | 'audit' | 'clock'>

export const logout =
  (deps: LogoutDeps): Logout =>
  (caller) =>
    pipe(
      deps.sessions.revoke(caller.sessionId),
      TE.flatMap(() => recordEvent(deps)(caller.accountId, 'logout', caller, caller.deviceId)),
    )
