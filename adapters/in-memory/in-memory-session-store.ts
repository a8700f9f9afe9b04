/**
 * Sessions and refresh-token digests in process memory: the embedded default, and the twin the Redis
 * adapter is held to by test/contracts/session-store.contract.ts.
 */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import * as O from 'fp-ts/Option'
import type { Session, SessionStore } from '../../application/ports/session-store'
import { invalidRefreshToken, refreshTokenReused } from '../../domain/errors'
import type { SessionId, Sha256Hex } from '../../domain/ids'

type StoredSession = { session: Session; revoked: boolean }
/** `current` is false once the digest was exchanged: presenting it again is a reuse. */
type StoredDigest = { sessionId: SessionId; current: boolean }

const isLive = (s: StoredSession | undefined, now: Date): s is StoredSession =>
  s !== undefined && !s.revoked && s.session.expiresAt.getTime() > now.getTime()

export const inMemorySessionStore = (): SessionStore => {
  const sessions = new Map<SessionId, StoredSession>()
  const digests = new Map<Sha256Hex, StoredDigest>()

  /** Forgets sessions that expired before `now`, and their digests, so memory does not grow without end. */
  const prune = (now: Date): void => {
    for (const [id, s] of sessions) if (s.session.expiresAt.getTime() <= now.getTime()) sessions.delete(id)
    for (const [digest, d] of digests) if (!sessions.has(d.sessionId)) digests.delete(digest)
  }

  const revokeWhere = (matches: (s: Session) => boolean): void => {
    for (const stored of sessions.values()) if (matches(stored.session)) stored.revoked = true
  }

  return {
    create: (session, refreshDigest) =>
      TE.fromIOEither(() => {
        prune(session.createdAt)
        sessions.set(session.sessionId, { session: structuredClone(session), revoked: false })
        digests.set(refreshDigest, { sessionId: session.sessionId, current: true })
        return E.right(undefined)
      }),
    findLive: (sessionId, now) =>
      TE.fromIOEither(() => {
        const stored = sessions.get(sessionId)
        return E.right(isLive(stored, now) ? O.some(structuredClone(stored.session)) : O.none)
      }),
    rotate: (presentedDigest, nextDigest, now) =>
      TE.fromIOEither(() => {
        const presented = digests.get(presentedDigest)
        const stored = presented && sessions.get(presented.sessionId)
        if (presented === undefined || !isLive(stored, now)) return E.left(invalidRefreshToken)
        if (!presented.current) {
          stored.revoked = true
          return E.left(refreshTokenReused)
        }
        presented.current = false
        digests.set(nextDigest, { sessionId: presented.sessionId, current: true })
        return E.right(structuredClone(stored.session))
      }),
    revoke: (sessionId) =>
      TE.fromIOEither(() => {
        revokeWhere((s) => s.sessionId === sessionId)
        return E.right(undefined)
      }),
    revokeDevice: (accountId, deviceId) =>
      TE.fromIOEither(() => {
        revokeWhere((s) => s.accountId === accountId && s.deviceId === deviceId)
        return E.right(undefined)
      }),
    revokeAccount: (accountId, keep) =>
      TE.fromIOEither(() => {
        revokeWhere((s) => s.accountId === accountId && s.sessionId !== keep)
        return E.right(undefined)
      }),
  }
}
