/**
 * Knows how to keep single-use pending logins and recovery tokens in Redis: `SET … PX` gives each its time to
 * live and `GETDEL` hands it out at most once, even to concurrent takers. Held to the in-memory twin by
 * test/contracts/login-state-store.contract.ts.
 * SECURITY: a key is a bearer secret (a recovery token is one), so Redis stores only its SHA-256:
 * `login-state:<sha256 hex>`, under the connection's prefix. Values are secret too, and never logged.
 */
import { createHash } from 'node:crypto'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import * as t from 'io-ts'
import type { RedisClient } from './create-redis'
import type { LoginStateStore, PendingState } from '../../../application/ports/login-state-store'
import { AccountId } from '../../../domain/ids'
import { command, decodeJson, encodeJson } from './redis-values'

const StoredPendingState: t.Type<PendingState, unknown, unknown> = t.union(
  [
    t.strict({
      kind: t.literal('login'),
      accountId: t.union([AccountId, t.null]),
      serverLoginState: t.string,
    }),
    t.strict({ kind: t.literal('recovery'), accountId: AccountId }),
  ],
  'StoredPendingState',
)

const stateKey = (key: string): string => `login-state:${createHash('sha256').update(key).digest('hex')}`

/** Redis wants a positive whole number of milliseconds. */
const ttlMs = (ttlSeconds: number): number => Math.max(1, Math.round(ttlSeconds * 1000))

export const redisLoginStateStore = (redis: RedisClient): LoginStateStore => ({
  put: (key, state, ttlSeconds) =>
    pipe(
      command(() => redis.set(stateKey(key), encodeJson(StoredPendingState)(state), 'PX', ttlMs(ttlSeconds))),
      TE.map(() => undefined),
    ),
  take: (key) =>
    pipe(
      command(() => redis.getdel(stateKey(key))),
      TE.flatMapEither((raw) =>
        raw === null ? E.right(O.none) : pipe(decodeJson(StoredPendingState)(raw), E.map(O.some)),
      ),
    ),
})
