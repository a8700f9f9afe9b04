import type * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { InvalidRefreshToken, RefreshTokenReused } from '../../domain/errors'
import type { AccountId, DeviceId, SessionId, Sha256Hex } from '../../domain/ids'
import type { Unavailable } from '../errors'

/** A login session: one refresh-token family. Revoking it ends its access tokens at once. */
export type Session = Readonly<{
  sessionId: SessionId
  accountId: AccountId
  deviceId: DeviceId | null
  createdAt: Date
  expiresAt: Date
}>

/**
 * Live sessions and their rotating refresh tokens, kept only as SHA-256 digests.
 * Implementations: adapters/in-memory (embedded default); in production adapters/persistence/knex (the record)
 * with adapters/cache/redis/cached-session-store.ts in front.
 * Contract: test/contracts/session-store.contract.ts. Lazy; never rejects: failures arrive as Left(Unavailable).
 */
export type SessionStore = {
  /** Starts a session whose first refresh token has digest `refreshDigest`. */
  readonly create: (session: Session, refreshDigest: Sha256Hex) => TE.TaskEither<Unavailable, void>
  /** `some` while the session exists, is unrevoked and unexpired at `now`. */
  readonly findLive: (sessionId: SessionId, now: Date) => TE.TaskEither<Unavailable, O.Option<Session>>
  /**
   * Exchanges a current refresh digest for `nextDigest`, once. A digest already exchanged revokes the whole
   * family (RefreshTokenReused); an unknown or expired one is InvalidRefreshToken.
   */
  readonly rotate: (
    presentedDigest: Sha256Hex,
    nextDigest: Sha256Hex,
    now: Date,
  ) => TE.TaskEither<Unavailable | InvalidRefreshToken | RefreshTokenReused, Session>
  readonly revoke: (sessionId: SessionId) => TE.TaskEither<Unavailable, void>
  readonly revokeDevice: (accountId: AccountId, deviceId: DeviceId) => TE.TaskEither<Unavailable, void>
  /** Every session of the account except `keep` (a password change keeps the caller's own). */
  readonly revokeAccount: (accountId: AccountId, keep?: SessionId) => TE.TaskEither<Unavailable, void>
}
