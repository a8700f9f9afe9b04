/** Where the short-lived state lives (STORE): sessions, pending logins and rate-limit counters. */
import { boolean, group, nonEmpty, oneOf, optional, redisUrl, setting, type EnvOf } from './env-codecs'

export const storeVariables = group('Sessions, pending logins and rate limits', '', {
  STORE: setting(
    oneOf(['memory', 'redis'] as const),
    'memory',
    'Where sessions, pending logins and rate-limit counters live. `memory` means this process only: it is ' +
      'lost on restart, works for one instance, and is refused in production. `redis` shares them between ' +
      'instances (required in production; needs `PERSISTENCE=postgres`); sessions and refresh-token families ' +
      'are then recorded in PostgreSQL with Redis as their cache, so losing Redis ends no session. A Redis ' +
      'that does not answer within 10 s stops the start.',
  ),
  REDIS_URL: optional(
    redisUrl,
    '`redis://` or `rediss://` (TLS) URL, may carry a password. Required when `STORE=redis`. Keys are ' +
      'prefixed `zkeb:`.',
  ),
  REDIS_TLS_CA_FILE: optional(
    nonEmpty,
    "PEM file of the CA that signed the `rediss://` server's certificate, when it is not one the system " +
      'trusts. The host name is checked either way.',
  ),
  REDIS_CLUSTER: setting(
    boolean,
    false,
    '`true`: `REDIS_URL` names one node of a Redis Cluster (any node; the others are found from it), opened ' +
      'with ioredis `Cluster`. Its user and password apply to every node; `rediss://` and `REDIS_TLS_CA_FILE` ' +
      'too. See **Redis Cluster** under Operations in the README.',
  ),
})

export type StoreConfig = Readonly<{
  store: EnvOf<typeof storeVariables>['STORE']
  redisUrl: string | null
  /** null: the system's CAs verify a rediss:// server. */
  redisTlsCaFile: string | null
  /** REDIS_URL is a seed node of a Redis Cluster. */
  redisCluster: boolean
}>

export const storeConfig = (env: EnvOf<typeof storeVariables>): StoreConfig => ({
  store: env.STORE,
  redisUrl: env.REDIS_URL,
  redisTlsCaFile: env.REDIS_TLS_CA_FILE,
  redisCluster: env.REDIS_CLUSTER,
})
