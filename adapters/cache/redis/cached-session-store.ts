/**
 * Knows how to answer the per-request session check from Redis while PostgreSQL keeps the record
 * (adapters/persistence/knex/knex-session-store.ts), held to the in-memory twin by
 * test/contracts/session-store.contract.ts. Losing or flushing Redis ends no session: a cache miss reads
 * PostgreSQL and refills. Creating, rotating and revoking go to PostgreSQL, the durable truth.
 *
 * One key per session, `live-session:<sessionId>` (under the connection's prefix), holding either the live
 * session or a tombstone saying it was revoked. Why a tombstone rather than a delete: a check that missed the
 * cache and read PostgreSQL just before a revocation committed would otherwise refill the cache with the
 * revoked session afterwards. Refills are `SET … NX`, revocations a plain `SET`, so a refill never overwrites a
 * tombstone, and a tombstone always overwrites a cached live session, on every instance at once.
 *
 * Every key lives at most `cacheTtlMs` (default 60 s): if a revocation reached PostgreSQL but not Redis (the
 * caller was told Unavailable), an instance that still reads the old entry sees it for at most that long.
 *
 * Fault policy (docs/operations.md): Redis unreachable → findLive reads PostgreSQL (sessions keep
 * working); a revocation is made durable first, then reported Unavailable if its tombstone cannot be written.
 * Each key is touched by single-key commands only, so this works unchanged on Redis Cluster.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import * as t from 'io-ts'
import type { RedisClient } from './create-redis'
import type { Unavailable } from '../../../application/errors'
import type { DurableSessionStore } from '../../../application/ports/durable-session-store'
import type { Session, SessionStore } from '../../../application/ports/session-store'
import { invalidRefreshToken, refreshTokenReused } from '../../../domain/errors'
import type { InvalidRefreshToken, RefreshTokenReused } from '../../../domain/errors'
import { AccountId, DeviceId, SessionId } from '../../../domain/ids'
import { command, decodeJson, encodeJson, IsoDate } from './redis-values'

type CacheEntry = Readonly<{ state: 'live'; session: Session }> | Readonly<{ state: 'revoked' }>

const CacheEntry: t.Type<CacheEntry, unknown, unknown> = t.union(
  [
    t.strict({
      state: t.literal('live'),
      session: t.strict({
        sessionId: SessionId,
        accountId: AccountId,
        deviceId: t.union([DeviceId, t.null]),
        createdAt: IsoDate,
        expiresAt: IsoDate,
      }),
    }),
    t.strict({ state: t.literal('revoked') }),
  ],
  'CachedSession',
)

const cacheKey = (id: SessionId): string => `live-session:${id}`
const tombstone = encodeJson(CacheEntry)({ state: 'revoked' })

export const defaultCacheTtlMs = 60_000

export type CachedSessionStoreOptions = Readonly<{ cacheTtlMs?: number }>

type RotateError = Unavailable | InvalidRefreshToken | RefreshTokenReused

const isLive = (session: Session, now: Date): boolean => session.expiresAt.getTime() > now.getTime()

export const cachedSessionStore = (
  durable: DurableSessionStore,
  redis: RedisClient,
  options: CachedSessionStoreOptions = {},
): SessionStore => {
  const cacheTtlMs = options.cacheTtlMs ?? defaultCacheTtlMs

  /** `none` on a miss; Left when Redis did not answer or holds something unreadable. */
  const cached = (sessionId: SessionId): TE.TaskEither<Unavailable, O.Option<CacheEntry>> =>
    pipe(
      command(() => redis.get(cacheKey(sessionId))),
      TE.flatMapEither((raw) =>
        raw === null ? E.right(O.none) : pipe(decodeJson(CacheEntry)(raw), E.map(O.some)),
      ),
    )

  /** Caches a session PostgreSQL found live, unless a tombstone (or a fresher entry) is already there. */
  const refill = (session: Session, now: Date): TE.TaskEither<never, void> => {
    const ttl = Math.min(cacheTtlMs, session.expiresAt.getTime() - now.getTime())
    if (ttl <= 0) return TE.right(undefined)
    const entry = encodeJson(CacheEntry)({ state: 'live', session })
    return pipe(
      command(() => redis.set(cacheKey(session.sessionId), entry, 'PX', ttl, 'NX')),
      // A refill is an optimisation: PostgreSQL already answered.
      TE.match(
        () => undefined,
        () => undefined,
      ),
      TE.fromTask,
    )
  }

  const fromRecord = (sessionId: SessionId, now: Date, fill: boolean) =>
    pipe(
      durable.findLive(sessionId, now),
      TE.tap(
        O.match(
          () => TE.right(undefined),
          (s) => (fill ? refill(s, now) : TE.right(undefined)),
        ),
      ),
    )

  /** Tombstones for sessions PostgreSQL already ended; Unavailable if Redis could not take them. */
  const forget = (ids: ReadonlyArray<SessionId>): TE.TaskEither<Unavailable, void> =>
    ids.length === 0
      ? TE.right(undefined)
      : pipe(
          command(() => Promise.all(ids.map((id) => redis.set(cacheKey(id), tombstone, 'PX', cacheTtlMs)))),
          TE.asUnit,
        )

  return {
    create: durable.create,
    findLive: (sessionId, now) =>
      pipe(
        cached(sessionId),
        TE.matchE(
          // Redis down or its entry unreadable: PostgreSQL answers, and nothing is written to Redis.
          () => fromRecord(sessionId, now, false),
          O.match(
            () => fromRecord(sessionId, now, true),
            (entry) =>
              TE.right(entry.state === 'live' && isLive(entry.session, now) ? O.some(entry.session) : O.none),
          ),
        ),
      ),
    rotate: (presented, next, now) =>
      pipe(
        durable.exchange(presented, next, now),
        TE.flatMap((outcome): TE.TaskEither<RotateError, Session> => {
          switch (outcome.kind) {
            case 'rotated':
              return TE.right(outcome.session)
            case 'reused':
              return pipe(
                forget([outcome.session.sessionId]),
                TE.flatMap(() => TE.left(refreshTokenReused)),
              )
            case 'invalid':
              return TE.left(invalidRefreshToken)
          }
        }),
      ),
    revoke: (sessionId) => pipe(durable.endSession(sessionId), TE.flatMap(forget)),
    revokeDevice: (accountId, deviceId) =>
      pipe(durable.endDeviceSessions(accountId, deviceId), TE.flatMap(forget)),
    revokeAccount: (accountId, keep) => pipe(durable.endAccountSessions(accountId, keep), TE.flatMap(forget)),
  }
}
