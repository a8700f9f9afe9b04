/**
 * The rules that span variables. Production keeps nothing in process memory and generates no secret of its
 * own; PERSISTENCE=memory keeps everything in this process, so nothing may point at PostgreSQL or elsewhere.
 */
import type { ConfigError } from './config-errors'
import type { Config } from './config-shape'

const when = (broken: boolean, variable: string, problem: string): ReadonlyArray<ConfigError> =>
  broken ? [{ variable, problem }] : []

const productionRules = (c: Config): ReadonlyArray<ConfigError> => [
  ...when(
    c.persistence === 'memory',
    'PERSISTENCE',
    'must not be memory when NODE_ENV=production (every account and backup would be lost on restart; use postgres)',
  ),
  ...when(c.databaseUrl === null, 'DATABASE_URL', 'is required when NODE_ENV=production'),
  ...when(c.opaqueServerSetup === null, 'OPAQUE_SERVER_SETUP', 'is required when NODE_ENV=production'),
  ...when(c.tokenSecret === null, 'TOKEN_SECRET', 'is required when NODE_ENV=production'),
  ...when(c.store === 'memory', 'STORE', 'must not be memory when NODE_ENV=production (use redis)'),
]

const inMemoryRules = (c: Config): ReadonlyArray<ConfigError> => [
  ...when(
    c.store !== 'memory',
    'STORE',
    'must be memory when PERSISTENCE=memory (STORE=redis records sessions in PostgreSQL)',
  ),
  ...when(
    c.databaseUrl !== null,
    'DATABASE_URL',
    'must be unset when PERSISTENCE=memory (nothing is kept in PostgreSQL)',
  ),
  ...when(
    c.blobStore !== null && c.blobStore !== 'postgres',
    'BLOB_STORE',
    'must be left at its default when PERSISTENCE=memory (blobs stay in memory with the rest)',
  ),
]

export const crossChecks = (c: Config): ReadonlyArray<ConfigError> => [
  ...when(
    c.workers > 1 && c.store === 'memory',
    'WORKERS',
    `must be 1 when STORE=memory (${c.workers} workers would keep ${c.workers} diverging copies of sessions, ` +
      'pending logins and rate limits; set STORE=redis)',
  ),
  ...when(c.store === 'redis' && c.redisUrl === null, 'REDIS_URL', 'is required when STORE=redis'),
  ...when(
    c.databaseAppUrl !== null && c.databaseUrl === null,
    'DATABASE_APP_URL',
    'needs DATABASE_URL (the owner connection for migrations)',
  ),
  ...(c.nodeEnv === 'production' ? productionRules(c) : c.persistence === 'memory' ? inMemoryRules(c) : []),
]
