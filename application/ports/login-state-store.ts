import type * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { AccountId } from '../../domain/ids'
import type { Unavailable } from '../errors'

/** Between sessions/start and sessions/finish. `accountId` null marks a fake login for an unknown username. */
export type PendingLogin = Readonly<{
  kind: 'login'
  accountId: AccountId | null
  serverLoginState: string
}>

/** Issued by recovery/start after the recovery proof checked out. */
export type PendingRecovery = Readonly<{ kind: 'recovery'; accountId: AccountId }>

export type PendingState = PendingLogin | PendingRecovery

/**
 * Short-lived, single-use state keyed by a random id (OPAQUE login state for 60 s, recovery tokens for 10 min).
 * SECURITY: values are secret; keys are random 32-byte ids. `take` returns a value at most once.
 * Implementations: adapters/in-memory, adapters/redis. Contract: test/contracts/login-state-store.contract.ts.
 */
export type LoginStateStore = {
  readonly put: (key: string, state: PendingState, ttlSeconds: number) => TE.TaskEither<Unavailable, void>
  /** Removes and returns the value: a second `take` of the same key, or one after expiry, is `none`. */
  readonly take: (key: string) => TE.TaskEither<Unavailable, O.Option<PendingState>>
}
