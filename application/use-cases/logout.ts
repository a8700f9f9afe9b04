import type * as TE from 'fp-ts/TaskEither'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports'

/** Ends the caller's session (its access and refresh tokens stop working at once) and records `logout`. */
export type Logout = (caller: Caller) => TE.TaskEither<Unavailable, void>
export type LogoutDeps = Pick<Ports, 'sessions' | 'audit' | 'clock'>
