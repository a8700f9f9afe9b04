/** The server's own variables: environment, listener, logs, the web app, and the drain on SIGTERM. */
import { availableParallelism } from 'node:os'
import {
  group,
  integer,
  nonEmpty,
  oneOf,
  port,
  setting,
  boolean,
  workerCount,
  type EnvOf,
} from './env-codecs'

const drainMs = integer(0, 600_000, 'milliseconds from 0 to 600000')

export const serverVariables = group('Server', '', {
  NODE_ENV: setting(
    oneOf(['development', 'test', 'production'] as const),
    'development',
    '`development`, `test` or `production`. Production requires `DATABASE_URL`, `OPAQUE_SERVER_SETUP`, ' +
      '`TOKEN_SECRET` and a shared store (`STORE=redis`), refuses `PERSISTENCE=memory`, and generates no ' +
      'secret of its own.',
  ),
  PORT: setting(port(0), 3000, 'HTTP port (`0`: any free port, printed at start).'),
  HOST: setting(nonEmpty, '0.0.0.0', 'Interface to listen on.'),
  WORKERS: setting(
    workerCount,
    1,
    'Server processes sharing the port (node:cluster), `auto`: one per CPU. Above 1, a primary process runs ' +
      'the migrations and the embedded PostgreSQL once, then starts the workers, replaces one that dies, and ' +
      'on SIGTERM drains them all. Workers share sessions, pending logins and rate limits only through Redis: ' +
      'more than one worker needs `STORE=redis`.',
  ),
  LOG_LEVEL: setting(
    oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    'info',
    "`fatal`, `error`, `warn`, `info`, `debug` (includes PostgreSQL's own output), `trace` or `silent`. " +
      'Lines are JSON, pretty only with `NODE_ENV=development` on a terminal.',
  ),
  WEB_APP_DIR: setting(
    nonEmpty,
    './web/dist',
    'The built web app (`npm run build:web`), served at `/`. Without an `index.html` there, only the API is ' +
      'served (a warning says so).',
  ),
  TRUST_PROXY: setting(
    boolean,
    false,
    '`true` behind exactly one reverse proxy (Railway, nginx): client IPs for rate limits then come from the ' +
      'last `X-Forwarded-For` hop.',
  ),
  DRAIN_TIMEOUT_MS: setting(
    drainMs,
    25_000,
    'After SIGTERM, how long in-flight requests (uploads included) may run before their connections are cut; ' +
      "then the process exits 0. Keep it below the platform's kill delay (Railway `drainingSeconds` = 30).",
  ),
  DRAIN_NOTICE_MS: setting(
    drainMs,
    0,
    'The first part of the drain window during which new connections are still accepted while `/api/health` ' +
      'already answers 503 `draining`, for load balancers that only learn from health checks.',
  ),
})

export type ServerConfig = Readonly<{
  nodeEnv: EnvOf<typeof serverVariables>['NODE_ENV']
  port: number
  host: string
  /** Server processes sharing the port; 1: this process serves, no primary. */
  workers: number
  logLevel: EnvOf<typeof serverVariables>['LOG_LEVEL']
  /** The built web app (`npm run build:web`); served when it holds an index.html. */
  webAppDir: string
  trustProxy: boolean
  /** After SIGTERM, how long in-flight requests may run before their connections are cut. */
  drainTimeoutMs: number
  /**
   * After SIGTERM, how long to keep accepting connections while /api/health already answers 503, so a load
   * balancer that only learns from health checks stops routing here first. Part of the drain window.
   */
  drainNoticeMs: number
}>

export const serverConfig = (env: EnvOf<typeof serverVariables>): ServerConfig => ({
  nodeEnv: env.NODE_ENV,
  port: env.PORT,
  host: env.HOST,
  workers: env.WORKERS === 'auto' ? availableParallelism() : env.WORKERS,
  logLevel: env.LOG_LEVEL,
  webAppDir: env.WEB_APP_DIR,
  trustProxy: env.TRUST_PROXY,
  drainTimeoutMs: env.DRAIN_TIMEOUT_MS,
  drainNoticeMs: env.DRAIN_NOTICE_MS,
})
