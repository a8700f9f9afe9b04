/**
 * Knows how to keep sessions and their rotating refresh-token digests in Redis, held to the in-memory twin by
 * test/contracts/session-store.contract.ts. No longer wired: STORE=redis records sessions in PostgreSQL behind
 * cached-session-store.ts, so losing Redis ends no session. Kept as the twin it was, with its contract suite.
 *
 * Keys (under the connection's prefix, see create-redis.ts), each expiring with its session so Redis never grows
 * without end: `session:<sessionId>` (the session; revoking deletes it), `refresh:<digest>` (which session the
 * digest belongs to and whether it is still the current one), `account-sessions:<accountId>` (a set of session
 * ids, for revoking by account or device).
 * Rotation is a compare-and-swap in a Lua script, so of two concurrent rotations of one digest exactly one wins
 * and the other sees a reuse, which revokes the family.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import * as t from 'io-ts'
import type { Redis } from 'ioredis'
import type { Unavailable } from '../../../application/errors'
import type { Session, SessionStore } from '../../../application/ports/session-store'
import { invalidRefreshToken, refreshTokenReused } from '../../../domain/errors'
import type { InvalidRefreshToken, RefreshTokenReused } from '../../../domain/errors'
import { AccountId, DeviceId, SessionId, type Sha256Hex } from '../../../domain/ids'
import { command, decodeJson, encodeJson, IsoDate, redisUnavailable, transaction } from './redis-values'

const StoredSession: t.Type<Session, unknown, unknown> = t.strict(
  {
    sessionId: SessionId,
    accountId: AccountId,
    deviceId: t.union([DeviceId, t.null]),
    createdAt: IsoDate,
    expiresAt: IsoDate,
  },
  'StoredSession',
)

/** `current` is false once the digest was exchanged: presenting it again is a reuse. */
type StoredDigest = Readonly<{ sessionId: SessionId; current: boolean }>
const StoredDigest: t.Type<StoredDigest, unknown, unknown> = t.strict(
  { sessionId: SessionId, current: t.boolean },
  'StoredDigest',
)

const sessionKey = (id: SessionId): string => `session:${id}`
const digestKey = (digest: Sha256Hex): string => `refresh:${digest}`
const accountKey = (accountId: AccountId): string => `account-sessions:${accountId}`

/**
 * Swaps the presented digest for the next one only if nobody changed it since it was read (ARGV[1]) and the
 * session still exists; the next digest lives exactly as long as the session. Returns 1 when swapped.
 */
const swapDigestScript = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local ttl = redis.call('PTTL', KEYS[2])
if ttl <= 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
redis.call('SET', KEYS[3], ARGV[3], 'PX', ttl)
return 1`

/** A concurrent change only ever moves a digest from current to used, or deletes a session: one retry settles. */
const rotationAttempts = 3

type RotateError = Unavailable | InvalidRefreshToken | RefreshTokenReused
/** A presented digest as read: `raw` is what the swap compares against, so a concurrent change is noticed. */
type Presented = Readonly<{ digest: Sha256Hex; raw: string; stored: StoredDigest }>

const isLive = (session: Session, now: Date): boolean => session.expiresAt.getTime() > now.getTime()

/** Redis keys need a positive lifetime; a session that is already over keeps its key for a millisecond. */
const lifetimeMs = (session: Session): number =>
  Math.max(1, session.expiresAt.getTime() - session.createdAt.getTime())

/** Ids to delete: the sessions `matches` picks, and those already gone (expired), so the set stays small. */
const doomedIds = (
  ids: ReadonlyArray<string>,
  raws: ReadonlyArray<string | null>,
  matches: (s: Session) => boolean,
): E.Either<Unavailable, ReadonlyArray<string>> => {
  const doomed: Array<string> = []
  for (const [i, id] of ids.entries()) {
    const raw = raws[i] ?? null
    if (raw === null) {
      doomed.push(id)
      continue
    }
    const session = decodeJson(StoredSession)(raw)
    if (E.isLeft(session)) return session
    if (matches(session.right)) doomed.push(id)
  }
  return E.right(doomed)
}

export const redisSessionStore = (redis: Redis): SessionStore => {
  const read = <A>(
    codec: t.Type<A, unknown, unknown>,
    key: string,
  ): TE.TaskEither<Unavailable, O.Option<A>> =>
    pipe(
      command(() => redis.get(key)),
      TE.flatMapEither((raw) =>
        raw === null ? E.right(O.none) : pipe(decodeJson(codec)(raw), E.map(O.some)),
      ),
    )

  const deleteSessions = (
    accountId: AccountId,
    ids: ReadonlyArray<string>,
  ): TE.TaskEither<Unavailable, void> =>
    ids.length === 0
      ? TE.right(undefined)
      : transaction(() =>
          redis
            .multi()
            .del(...ids.map((id) => sessionKey(id as SessionId)))
            .srem(accountKey(accountId), ...ids),
        )

  const reuse = (session: Session): TE.TaskEither<RotateError, Session> =>
    pipe(
      deleteSessions(session.accountId, [session.sessionId]),
      TE.flatMap(() => TE.left(refreshTokenReused)),
    )

  const swap = (presented: Presented, next: Sha256Hex) =>
    command(() =>
      redis.eval(
        swapDigestScript,
        3,
        digestKey(presented.digest),
        sessionKey(presented.stored.sessionId),
        digestKey(next),
        presented.raw,
        encodeJson(StoredDigest)({ ...presented.stored, current: false }),
        encodeJson(StoredDigest)({ sessionId: presented.stored.sessionId, current: true }),
      ),
    )

  /** Decides on a live session: a used digest is a reuse; a current one is exchanged unless it changed meanwhile. */
  const exchange = (presented: Presented, next: Sha256Hex, now: Date, attemptsLeft: number) =>
    O.match(
      (): TE.TaskEither<RotateError, Session> => TE.left(invalidRefreshToken),
      (session: Session) => {
        if (!isLive(session, now)) return TE.left(invalidRefreshToken)
        if (!presented.stored.current) return reuse(session)
        return pipe(
          swap(presented, next),
          TE.flatMap((swapped) =>
            swapped === 1
              ? TE.right(session)
              : attemptRotation(presented.digest, next, now, attemptsLeft - 1),
          ),
        )
      },
    )

  /** Reads the digest and its session, then decides; a lost race starts over from a fresh read. */
  const attemptRotation = (
    digest: Sha256Hex,
    next: Sha256Hex,
    now: Date,
    attemptsLeft: number,
  ): TE.TaskEither<RotateError, Session> =>
    attemptsLeft <= 0
      ? TE.left(redisUnavailable(new Error('refresh rotation kept conflicting')))
      : pipe(
          command(() => redis.get(digestKey(digest))),
          TE.flatMap((raw): TE.TaskEither<RotateError, Presented> =>
            raw === null
              ? TE.left(invalidRefreshToken)
              : TE.fromEither(
                  pipe(
                    decodeJson(StoredDigest)(raw),
                    E.map((stored) => ({ digest, raw, stored })),
                  ),
                ),
          ),
          TE.flatMap((presented) =>
            pipe(
              read(StoredSession, sessionKey(presented.stored.sessionId)),
              TE.flatMap(exchange(presented, next, now, attemptsLeft)),
            ),
          ),
        )

  /** Deletes the account's sessions that `matches` picks, and forgets ids whose session already expired. */
  const revokeWhere = (
    accountId: AccountId,
    matches: (s: Session) => boolean,
  ): TE.TaskEither<Unavailable, void> =>
    pipe(
      command(() => redis.smembers(accountKey(accountId))),
      TE.flatMap((ids) =>
        ids.length === 0
          ? TE.right([])
          : pipe(
              command(() => redis.mget(...ids.map((id) => sessionKey(id as SessionId)))),
              TE.flatMapEither((raws) => doomedIds(ids, raws, matches)),
            ),
      ),
      TE.flatMap((doomed) => deleteSessions(accountId, doomed)),
    )

  return {
    create: (session, refreshDigest) => {
      const ttl = lifetimeMs(session)
      return transaction(() =>
        redis
          .multi()
          .set(sessionKey(session.sessionId), encodeJson(StoredSession)(session), 'PX', ttl)
          .set(
            digestKey(refreshDigest),
            encodeJson(StoredDigest)({ sessionId: session.sessionId, current: true }),
            'PX',
            ttl,
          )
          .sadd(accountKey(session.accountId), session.sessionId)
          // The set lives as long as its longest session: NX sets a first lifetime, GT only ever extends it.
          .pexpire(accountKey(session.accountId), ttl, 'NX')
          .pexpire(accountKey(session.accountId), ttl, 'GT'),
      )
    },
    findLive: (sessionId, now) =>
      pipe(read(StoredSession, sessionKey(sessionId)), TE.map(O.filter((session) => isLive(session, now)))),
    rotate: (presentedDigest, nextDigest, now) =>
      attemptRotation(presentedDigest, nextDigest, now, rotationAttempts),
    revoke: (sessionId) =>
      pipe(
        command(() => redis.del(sessionKey(sessionId))),
        TE.map(() => undefined),
      ),
    revokeDevice: (accountId, deviceId) => revokeWhere(accountId, (s) => s.deviceId === deviceId),
    revokeAccount: (accountId, keep) => revokeWhere(accountId, (s) => s.sessionId !== keep),
  }
}
