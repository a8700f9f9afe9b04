/**
 * Binds the short-lived stores (sessions, pending logins, rate-limit counters) chosen by STORE.
 * `memory` keeps them in this process: one instance only, lost on restart, refused in production by config.
 * `redis` shares them between instances through the connection the runtime opened; sessions and their
 * refresh-token families are then recorded in PostgreSQL (the application pool), with Redis caching live
 * sessions in front, so losing or flushing Redis ends no session.
 */
import * as TE from 'fp-ts/TaskEither'
import type { Container } from 'inversify'
import type { Knex } from 'knex'
import type { ReadinessProbe } from '../../application/ports/readiness-probe'
import { redisLoginStateStore } from '../cache/redis/redis-login-state-store'
import { redisRateLimiter } from '../cache/redis/redis-rate-limiter'
import { redisReadinessProbe } from '../cache/redis/redis-readiness-probe'
import { cachedSessionStore } from '../cache/redis/cached-session-store'
import type { RedisClient } from '../cache/redis/create-redis'
import { inMemoryLoginStateStore } from '../in-memory/in-memory-login-state-store'
import { inMemoryRateLimiter } from '../in-memory/in-memory-rate-limiter'
import { inMemorySessionStore } from '../in-memory/in-memory-session-store'
import { knexSessionStore } from '../persistence/knex/knex-session-store'
import { id, TOKENS } from './tokens'

/** Which store the runtime prepared: for `redis`, an open connection it owns and closes. */
export type StoreChoice = Readonly<{ kind: 'memory' }> | Readonly<{ kind: 'redis'; redis: RedisClient }>

/** In-process stores cannot fail to answer. */
const memoryCacheProbe: ReadinessProbe = { name: 'cache', check: () => TE.right(undefined) }

const bindMemoryStores = (c: Container): void => {
  c.bind(id(TOKENS.SessionStore)).toConstantValue(inMemorySessionStore())
  c.bind(id(TOKENS.LoginStateStore)).toResolvedValue(inMemoryLoginStateStore, [id(TOKENS.Clock)])
  c.bind(id(TOKENS.RateLimiter)).toResolvedValue(inMemoryRateLimiter, [id(TOKENS.Clock)])
  c.bind(id(TOKENS.StoreProbes)).toConstantValue([memoryCacheProbe])
}

const bindRedisStores = (c: Container, redis: RedisClient): void => {
  c.bind(id(TOKENS.SessionStore)).toResolvedValue(
    (db: Knex) => cachedSessionStore(knexSessionStore(db), redis),
    [id(TOKENS.AppKnex)],
  )
  c.bind(id(TOKENS.LoginStateStore)).toConstantValue(redisLoginStateStore(redis))
  c.bind(id(TOKENS.RateLimiter)).toConstantValue(redisRateLimiter(redis))
  c.bind(id(TOKENS.StoreProbes)).toConstantValue([redisReadinessProbe(redis)])
}

export const bindStores = (c: Container, store: StoreChoice): void => {
  switch (store.kind) {
    case 'memory':
      return bindMemoryStores(c)
    case 'redis':
      return bindRedisStores(c, store.redis)
  }
}
