import type * as TE from 'fp-ts/TaskEither'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports'

/** Erases everything the account owns: sessions, blobs, backups, devices, audit trail, the account. */
export type DeleteAccount = (caller: Caller) => TE.TaskEither<Unavailable, void>
export type DeleteAccountDeps = Pick<Ports, 'accounts' | 'sessions' | 'blobs'>
