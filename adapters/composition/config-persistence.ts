/** Where the durable data lives (PERSISTENCE): PostgreSQL, embedded or external, or this process's memory. */
import {
  boolean,
  group,
  integer,
  nonEmpty,
  oneOf,
  optional,
  postgresUrl,
  setting,
  type EnvOf,
} from './env-codecs'

export const persistenceVariables = group('Persistence', '', {
  PERSISTENCE: setting(
    oneOf(['postgres', 'memory'] as const),
    'postgres',
    'Where accounts, devices, backups, the audit trail and blobs live. `postgres`: in PostgreSQL, the ' +
      'embedded one under `DATA_DIR` or the one `DATABASE_URL` names. `memory`: in this process only, on the ' +
      'in-memory twins the test suites run on: no PostgreSQL starts, nothing is written to `DATA_DIR`, ' +
      'secrets not configured are generated for this run, and everything is lost when the process stops. ' +
      '`memory` needs `STORE=memory` (the default), `BLOB_STORE` left at its default (blobs stay in memory ' +
      'too) and `DATABASE_URL` unset, and is refused in production.',
  ),
  DATA_DIR: setting(
    nonEmpty,
    './data',
    'Embedded PostgreSQL data, generated secrets, the lock file (unused with `PERSISTENCE=memory`).',
  ),
  DATABASE_URL: optional(
    postgresUrl,
    '`postgres://` URL of a role that owns the schema. Used for migrations, and to create or update the ' +
      '`zkeb_app` role.',
    'the embedded PostgreSQL',
  ),
  DATABASE_APP_URL: optional(
    postgresUrl,
    "URL the application's pool uses. It must be a role that owns nothing and has `NOBYPASSRLS`. When unset, " +
      "ZKEB connects as `zkeb_app` and manages that role's password itself: generated in `DATA_DIR` for the " +
      'embedded server, otherwise derived from `TOKEN_SECRET` with HKDF, so replicas agree. Set it if the ' +
      '`DATABASE_URL` user may not create roles. Needs `DATABASE_URL`.',
    '`zkeb_app`, its password derived',
  ),
  DATABASE_POOL_MAX: setting(
    integer(1, 1000, 'an integer from 1 to 1000'),
    10,
    'Connections in the application pool.',
  ),
  MIGRATE_ON_START: setting(
    boolean,
    true,
    "Apply pending migrations at start. With `false`, migrations are a deploy step (Railway's " +
      '`preDeployCommand`) and `/api/health` stays 503 `starting` until they are applied.',
    'the image sets `false`',
  ),
})

export type PersistenceConfig = Readonly<{
  persistence: EnvOf<typeof persistenceVariables>['PERSISTENCE']
  dataDir: string
  /** null: boot the embedded PostgreSQL under dataDir. */
  databaseUrl: string | null
  /** null: derived from databaseUrl for the role zkeb_app. */
  databaseAppUrl: string | null
  databasePoolMax: number
  /** false: migrations are a deploy step (Railway\'s preDeployCommand); /api/health waits for them. */
  migrateOnStart: boolean
}>

export const persistenceConfig = (env: EnvOf<typeof persistenceVariables>): PersistenceConfig => ({
  persistence: env.PERSISTENCE,
  dataDir: env.DATA_DIR,
  databaseUrl: env.DATABASE_URL,
  databaseAppUrl: env.DATABASE_APP_URL,
  databasePoolMax: env.DATABASE_POOL_MAX,
  migrateOnStart: env.MIGRATE_ON_START,
})
