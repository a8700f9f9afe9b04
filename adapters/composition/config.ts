/**
 * Knows how to turn process.env into a typed Config: defaults, then the rules that depend on NODE_ENV.
 * SECURITY: errors name the variable and what it should be, never the value (it may be a secret).
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import { defaultSettings } from '../../application/settings'
import { defaultRateLimitRules, type RateLimitRules } from '../http/middleware/rate-limit'
import { StartupError } from './startup-error'

/** Parses a present, non-empty variable; `undefined` means "not of this shape". */
const fromEnv = <A>(expected: string, parse: (raw: string) => A | undefined): t.Type<A, string, unknown> =>
  new t.Type<A, string, unknown>(
    expected,
    (u): u is A => u !== undefined,
    (u, c) => {
      const parsed = typeof u === 'string' ? parse(u.trim()) : undefined
      return parsed === undefined ? t.failure(u, c) : t.success(parsed)
    },
    String,
  )

/** An unset or empty variable takes `fallback`. */
const withDefault = <A, B extends A | null>(
  codec: t.Type<A, string, unknown>,
  fallback: B,
): t.Type<A | B, string, unknown> =>
  new t.Type<A | B, string, unknown>(
    codec.name,
    (u): u is A | B => u === fallback || codec.is(u),
    (u, c) => (u === undefined || u === '' ? t.success(fallback) : codec.validate(u, c)),
    (a) => (a === null ? '' : codec.encode(a)),
  )

const integer = (min: number, max: number, expected: string) =>
  fromEnv(expected, (raw) => {
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN
    return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined
  })

const oneOf = <K extends string>(values: ReadonlyArray<K>) =>
  fromEnv(`one of ${values.join(', ')}`, (raw) => values.find((v) => v === raw))

const boolean = fromEnv('true or false', (raw) =>
  ['true', '1', 'yes'].includes(raw) ? true : ['false', '0', 'no'].includes(raw) ? false : undefined,
)

const nonEmpty = fromEnv('a non-empty string', (raw) => (raw === '' ? undefined : raw))

const postgresUrl = fromEnv('a postgres:// or postgresql:// URL', (raw) =>
  /^postgres(ql)?:\/\/[^\s]+$/.test(raw) && URL.canParse(raw) ? raw : undefined,
)

const redisUrl = fromEnv('a redis:// or rediss:// URL', (raw) =>
  /^rediss?:\/\/[^\s]+$/.test(raw) && URL.canParse(raw) ? raw : undefined,
)

const httpUrl = fromEnv('an http:// or https:// URL', (raw) =>
  /^https?:\/\/[^\s]+$/.test(raw) && URL.canParse(raw) ? raw : undefined,
)

/** S3's own rule, which R2 and MinIO follow: 3–63 lowercase letters, digits, dots and hyphens. */
const bucketName = fromEnv('a bucket name (3-63 lowercase letters, digits, dots, hyphens)', (raw) =>
  /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(raw) ? raw : undefined,
)

const secret = fromEnv('a secret of at least 32 characters', (raw) => (raw.length >= 32 ? raw : undefined))

const opaqueSetup = fromEnv(
  'an OPAQUE server setup (base64url, as made by `opaque.server.createSetup()`)',
  (raw) => (/^[A-Za-z0-9_-]{64,}$/.test(raw) ? raw : undefined),
)

const optional = <A>(codec: t.Type<A, string, unknown>) => withDefault(codec, null)

const maxBytes = 2 ** 50

/** Observability (adapters/observability): every one is off unless set, so nothing is exposed by default. */
const observabilityEnv = {
  METRICS_PORT: optional(integer(0, 65535, 'a port number from 0 to 65535')),
  METRICS_TOKEN: optional(secret),
  STATSD_HOST: optional(nonEmpty),
  STATSD_PORT: withDefault(integer(1, 65535, 'a port number from 1 to 65535'), 8125),
  OTEL_EXPORTER_OTLP_ENDPOINT: optional(httpUrl),
  SENTRY_DSN: optional(httpUrl),
  LOG_HASH_KEY: optional(secret),
}

const perMinute = integer(1, 1_000_000, 'an integer from 1 to 1000000')

/**
 * api-v1's rate limits, per 60 s window (defaults: adapters/http/middleware/rate-limit.ts). Raised only for load
 * tests (bench/), where every login and every request comes from one IP and a few accounts.
 */
const rateLimitEnv = {
  RATE_LIMIT_LOGIN_PER_MINUTE: withDefault(perMinute, defaultRateLimitRules.login.points),
  RATE_LIMIT_REGISTRATION_PER_MINUTE: withDefault(perMinute, defaultRateLimitRules.registration.points),
  RATE_LIMIT_ACCOUNT_PER_MINUTE: withDefault(perMinute, defaultRateLimitRules.account.points),
}

/** The variables ZKEB reads, with their defaults. Anything else in the environment is ignored. */
export const EnvCodec = t.type({
  NODE_ENV: withDefault(oneOf(['development', 'test', 'production'] as const), 'development'),
  PORT: withDefault(integer(0, 65535, 'a port number from 0 to 65535'), 3000),
  HOST: withDefault(nonEmpty, '0.0.0.0'),
  DATA_DIR: withDefault(nonEmpty, './data'),
  DATABASE_URL: optional(postgresUrl),
  DATABASE_APP_URL: optional(postgresUrl),
  DATABASE_POOL_MAX: withDefault(integer(1, 1000, 'an integer from 1 to 1000'), 10),
  STORE: withDefault(oneOf(['memory', 'redis'] as const), 'memory'),
  REDIS_URL: optional(redisUrl),
  /** PEM file of the CA that signed a rediss:// server's certificate, when not a public one. */
  REDIS_TLS_CA_FILE: optional(nonEmpty),
  /** REDIS_URL names one node of a Redis Cluster. */
  REDIS_CLUSTER: withDefault(boolean, false),
  OPAQUE_SERVER_SETUP: optional(opaqueSetup),
  /** Worker threads for the OPAQUE curve arithmetic; unset: one per CPU; 0: on the event loop. */
  OPAQUE_WORKERS: optional(integer(0, 256, 'an integer from 0 to 256')),
  TOKEN_SECRET: optional(secret),
  ACCESS_TOKEN_TTL_SECONDS: withDefault(integer(60, 86_400, 'an integer from 60 to 86400'), 900),
  QUOTA_BYTES: withDefault(integer(0, maxBytes, 'a byte count'), defaultSettings.defaultQuotaBytes),
  MAX_UPLOAD_BYTES: withDefault(
    integer(1, maxBytes, 'a positive byte count'),
    defaultSettings.maxUploadBytes,
  ),
  JSON_BODY_BYTES: withDefault(
    integer(1024, 16 * 1024 ** 2, 'a byte count from 1024 to 16777216'),
    64 * 1024,
  ),
  TRASH_RETENTION_DAYS: withDefault(
    integer(0, 3650, 'an integer from 0 to 3650'),
    defaultSettings.trashRetentionDays,
  ),
  LOG_LEVEL: withDefault(
    oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    'info',
  ),
  TRUST_PROXY: withDefault(boolean, false),
  DRAIN_TIMEOUT_MS: withDefault(integer(0, 600_000, 'milliseconds from 0 to 600000'), 25_000),
  DRAIN_NOTICE_MS: withDefault(integer(0, 600_000, 'milliseconds from 0 to 600000'), 0),
  MIGRATE_ON_START: withDefault(boolean, true),
  /** Unset: chosen by adapters/composition/blob-storage.ts (a new embedded DATA_DIR: fs; otherwise postgres). */
  BLOB_STORE: optional(oneOf(['postgres', 's3', 'fs'] as const)),
  /** BLOB_STORE=fs: the folder of blob files (default DATA_DIR/blobs; required beside DATABASE_URL). */
  BLOB_DIR: optional(nonEmpty),
  S3_ENDPOINT: optional(httpUrl),
  S3_BUCKET: optional(bucketName),
  S3_REGION: withDefault(nonEmpty, 'us-east-1'),
  S3_ACCESS_KEY_ID: optional(nonEmpty),
  S3_SECRET_ACCESS_KEY: optional(nonEmpty),
  S3_FORCE_PATH_STYLE: withDefault(boolean, false),
  BLOB_GC_GRACE_SECONDS: withDefault(
    integer(60, 365 * 86_400, 'an integer from 60 to 31536000'),
    defaultSettings.blobGarbageGraceSeconds,
  ),
  UPLOAD_EXPIRY_SECONDS: withDefault(
    integer(60, 30 * 86_400, 'an integer from 60 to 2592000'),
    defaultSettings.uploadExpirySeconds,
  ),
  WEB_APP_DIR: withDefault(nonEmpty, './web/dist'),
  ...rateLimitEnv,
  ...observabilityEnv,
})
export type Env = t.TypeOf<typeof EnvCodec>

/** Everything the composition root needs, decoded and checked. `null` means "not set: use the default". */
export type Config = Readonly<{
  nodeEnv: Env['NODE_ENV']
  port: number
  host: string
  dataDir: string
  /** null: boot the embedded PostgreSQL under dataDir. */
  databaseUrl: string | null
  /** null: derived from databaseUrl for the role zkeb_app. */
  databaseAppUrl: string | null
  databasePoolMax: number
  store: Env['STORE']
  redisUrl: string | null
  /** null: the system's CAs verify a rediss:// server. */
  redisTlsCaFile: string | null
  /** REDIS_URL is a seed node of a Redis Cluster. */
  redisCluster: boolean
  /** null: generated once and kept in dataDir (never in production). */
  opaqueServerSetup: string | null
  /** Threads computing OPAQUE steps; null: one per CPU (os.availableParallelism()); 0: the event loop itself. */
  opaqueWorkers: number | null
  tokenSecret: string | null
  accessTokenTtlSeconds: number
  quotaBytes: number
  maxUploadBytes: number
  jsonBodyBytes: number
  trashRetentionDays: number
  logLevel: Env['LOG_LEVEL']
  trustProxy: boolean
  /** After SIGTERM, how long in-flight requests may run before their connections are cut. */
  drainTimeoutMs: number
  /**
   * After SIGTERM, how long to keep accepting connections while /api/health already answers 503, so a load
   * balancer that only learns from health checks stops routing here first. Part of the drain window.
   */
  drainNoticeMs: number
  /** false: migrations are a deploy step (Railway's preDeployCommand); /api/health waits for them. */
  migrateOnStart: boolean
  /** null: not set; blob-storage.ts chooses (a recorded or new embedded DATA_DIR, else postgres). */
  blobStore: Env['BLOB_STORE']
  /** null: DATA_DIR/blobs for an embedded database; none beside DATABASE_URL. */
  blobDir: string | null
  /** null unless BLOB_STORE=s3. */
  s3: S3Config | null
  blobGcGraceSeconds: number
  /** Lifetime of a resumable (tus) upload from its creation. */
  uploadExpirySeconds: number
  /** The built web app (`npm run build:web`); served when it holds an index.html. */
  webAppDir: string
  rateLimits: RateLimitRules
  observability: ObservabilityConfig
}>

export type S3Config = Readonly<{
  /** null: AWS S3's endpoint for the region. */
  endpoint: string | null
  bucket: string
  region: string
  /** null: the AWS SDK's default chain (AWS_* variables, instance or task role). */
  credentials: Readonly<{ accessKeyId: string; secretAccessKey: string }> | null
  forcePathStyle: boolean
}>

/** Where metrics, traces and errors go; null means off. */
export type ObservabilityConfig = Readonly<{
  /** A second listener serving only GET /metrics (on HOST). */
  metricsPort: number | null
  /** GET /metrics on the main port, for `Authorization: Bearer <token>` only. */
  metricsToken: string | null
  statsd: Readonly<{ host: string; port: number }> | null
  otlpEndpoint: string | null
  sentryDsn: string | null
  /** HMAC key for account ids in logs; null: derived from TOKEN_SECRET. */
  logHashKey: string | null
}>

/** One line per problem, naming the variable and what it should be. */
export type ConfigError = Readonly<{ variable: string; problem: string }>

export const formatConfigErrors = (errors: ReadonlyArray<ConfigError>): string =>
  `Invalid configuration: ${errors.map((e) => `${e.variable} ${e.problem}`).join('; ')}`

const toConfigErrors = (errors: t.Errors): ReadonlyArray<ConfigError> => {
  const seen = new Map<string, string>()
  for (const error of errors) {
    const variable = error.context[1]?.key ?? '(environment)'
    const expected = error.context[error.context.length - 1]?.type.name ?? 'something else'
    seen.set(variable, `must be ${expected}`)
  }
  return [...seen].map(([variable, problem]) => ({ variable, problem }))
}

const toConfig = (env: Env): Config => ({
  nodeEnv: env.NODE_ENV,
  port: env.PORT,
  host: env.HOST,
  dataDir: env.DATA_DIR,
  databaseUrl: env.DATABASE_URL,
  databaseAppUrl: env.DATABASE_APP_URL,
  databasePoolMax: env.DATABASE_POOL_MAX,
  store: env.STORE,
  redisUrl: env.REDIS_URL,
  redisTlsCaFile: env.REDIS_TLS_CA_FILE,
  redisCluster: env.REDIS_CLUSTER,
  opaqueServerSetup: env.OPAQUE_SERVER_SETUP,
  opaqueWorkers: env.OPAQUE_WORKERS,
  tokenSecret: env.TOKEN_SECRET,
  accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
  quotaBytes: env.QUOTA_BYTES,
  maxUploadBytes: env.MAX_UPLOAD_BYTES,
  jsonBodyBytes: env.JSON_BODY_BYTES,
  trashRetentionDays: env.TRASH_RETENTION_DAYS,
  logLevel: env.LOG_LEVEL,
  trustProxy: env.TRUST_PROXY,
  drainTimeoutMs: env.DRAIN_TIMEOUT_MS,
  drainNoticeMs: env.DRAIN_NOTICE_MS,
  migrateOnStart: env.MIGRATE_ON_START,
  blobStore: env.BLOB_STORE,
  blobDir: env.BLOB_DIR,
  s3:
    env.BLOB_STORE === 's3' && env.S3_BUCKET !== null
      ? {
          endpoint: env.S3_ENDPOINT,
          bucket: env.S3_BUCKET,
          region: env.S3_REGION,
          credentials:
            env.S3_ACCESS_KEY_ID !== null && env.S3_SECRET_ACCESS_KEY !== null
              ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }
              : null,
          forcePathStyle: env.S3_FORCE_PATH_STYLE,
        }
      : null,
  blobGcGraceSeconds: env.BLOB_GC_GRACE_SECONDS,
  uploadExpirySeconds: env.UPLOAD_EXPIRY_SECONDS,
  webAppDir: env.WEB_APP_DIR,
  rateLimits: {
    ...defaultRateLimitRules,
    login: { ...defaultRateLimitRules.login, points: env.RATE_LIMIT_LOGIN_PER_MINUTE },
    registration: { ...defaultRateLimitRules.registration, points: env.RATE_LIMIT_REGISTRATION_PER_MINUTE },
    account: { ...defaultRateLimitRules.account, points: env.RATE_LIMIT_ACCOUNT_PER_MINUTE },
  },
  observability: {
    metricsPort: env.METRICS_PORT,
    metricsToken: env.METRICS_TOKEN,
    statsd: env.STATSD_HOST === null ? null : { host: env.STATSD_HOST, port: env.STATSD_PORT },
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
    sentryDsn: env.SENTRY_DSN,
    logHashKey: env.LOG_HASH_KEY,
  },
})

/** BLOB_STORE=s3 needs a bucket, and access keys come as a pair or not at all. */
const s3Checks = (env: Env): ReadonlyArray<ConfigError> => {
  if (env.BLOB_STORE !== 's3') return []
  const problems: ConfigError[] = []
  if (env.S3_BUCKET === null)
    problems.push({ variable: 'S3_BUCKET', problem: 'is required when BLOB_STORE=s3' })
  if ((env.S3_ACCESS_KEY_ID === null) !== (env.S3_SECRET_ACCESS_KEY === null))
    problems.push({
      variable: env.S3_ACCESS_KEY_ID === null ? 'S3_ACCESS_KEY_ID' : 'S3_SECRET_ACCESS_KEY',
      problem: 'must be set together with its pair (or both left unset for the AWS default credentials)',
    })
  return problems
}

/** Rules that span variables. Production keeps nothing in process memory and generates no secret of its own. */
const crossChecks = (c: Config): ReadonlyArray<ConfigError> => {
  const problems: ConfigError[] = []
  if (c.store === 'redis' && c.redisUrl === null)
    problems.push({ variable: 'REDIS_URL', problem: 'is required when STORE=redis' })
  if (c.databaseAppUrl !== null && c.databaseUrl === null)
    problems.push({
      variable: 'DATABASE_APP_URL',
      problem: 'needs DATABASE_URL (the owner connection for migrations)',
    })
  if (c.nodeEnv !== 'production') return problems
  const required: ReadonlyArray<[string, unknown]> = [
    ['DATABASE_URL', c.databaseUrl],
    ['OPAQUE_SERVER_SETUP', c.opaqueServerSetup],
    ['TOKEN_SECRET', c.tokenSecret],
  ]
  for (const [variable, value] of required)
    if (value === null) problems.push({ variable, problem: 'is required when NODE_ENV=production' })
  if (c.store === 'memory')
    problems.push({ variable: 'STORE', problem: 'must not be memory when NODE_ENV=production (use redis)' })
  return problems
}

/** Decodes the environment into a Config, or every problem found (never a value). */
export const decodeConfig = (
  env: Readonly<Record<string, string | undefined>>,
): E.Either<ReadonlyArray<ConfigError>, Config> =>
  pipe(
    EnvCodec.decode(env),
    E.mapLeft(toConfigErrors),
    E.flatMap((env) => {
      const problems = s3Checks(env)
      return problems.length === 0 ? E.right(env) : E.left(problems)
    }),
    E.map(toConfig),
    E.flatMap((config) => {
      const problems = crossChecks(config)
      return problems.length === 0 ? E.right(config) : E.left(problems)
    }),
  )

/** For entry points: the Config, or a StartupError whose message lists every problem. */
export const loadConfig = (env: Readonly<Record<string, string | undefined>> = process.env): Config =>
  pipe(
    decodeConfig(env),
    E.getOrElse((errors): Config => {
      throw new StartupError(formatConfigErrors(errors))
    }),
  )
