import type * as TE from 'fp-ts/TaskEither'
import type { AccountId, DeviceId, SessionId, Sha256Hex } from '../../domain/ids'
import type { Unavailable } from '../errors'
import type { Session, SessionStore } from './session-store'

/** What one rotation did; `reused` names the session whose family it deleted. */
export type RotationOutcome =
  | Readonly<{ kind: 'rotated'; session: Session }>
  | Readonly<{ kind: 'reused'; session: Session }>
  | Readonly<{ kind: 'invalid' }>

/**
 * The durable session record, as a cache in front of it needs it: the SessionStore port, plus which sessions
 * each change ended, so the cache can forget exactly those. No use case calls it: it is the seam between the
 * record (adapters/persistence/knex/knex-session-store.ts) and the cache that wraps it
 * (adapters/cache/redis/cached-session-store.ts), checked through test/contracts/session-store.cached.test.ts.
 * Lazy; never rejects: failures arrive as Left(Unavailable).
 */
export type DurableSessionStore = SessionStore &
  Readonly<{
    exchange: (
      presented: Sha256Hex,
      next: Sha256Hex,
      now: Date,
    ) => TE.TaskEither<Unavailable, RotationOutcome>
    /** revoke, revokeDevice and revokeAccount returning the ids of the sessions they ended. */
    endSession: (sessionId: SessionId) => TE.TaskEither<Unavailable, ReadonlyArray<SessionId>>
    endDeviceSessions: (
      accountId: AccountId,
      deviceId: DeviceId,
    ) => TE.TaskEither<Unavailable, ReadonlyArray<SessionId>>
    endAccountSessions: (
      accountId: AccountId,
      keep?: SessionId,
    ) => TE.TaskEither<Unavailable, ReadonlyArray<SessionId>>
  }>
