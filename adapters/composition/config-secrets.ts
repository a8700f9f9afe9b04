/** The server's secrets and what is derived from them: the OPAQUE setup, its workers, and access tokens. */
import { group, integer, opaqueSetup, optional, secret, setting, type EnvOf } from './env-codecs'

export const secretVariables = group(
  'Secrets and tokens',
  'Outside production, a secret left unset is generated once and kept in `DATA_DIR/secrets` (with ' +
    '`PERSISTENCE=memory`: generated for this run only). Never logged.',
  {
    OPAQUE_SERVER_SETUP: optional(
      opaqueSetup,
      'OPAQUE server secret, from `opaque.server.createSetup()` in `@serenity-kit/opaque`. Required in ' +
        'production. Keep it forever: changing it locks every account out.',
      'generated once in `DATA_DIR`',
    ),
    OPAQUE_WORKERS: optional(
      integer(0, 256, 'an integer from 0 to 256'),
      'Worker threads that compute the OPAQUE curve arithmetic of login starts and registrations (about ' +
        '1.3 ms per login start), so the event loop never blocks on it. `0` computes on the event loop (no ' +
        'threads). A thread that dies fails its in-flight logins with 503 and is replaced.',
      'one thread per CPU',
    ),
    TOKEN_SECRET: optional(
      secret,
      'HMAC key for access tokens, at least 32 characters. Required in production. Changing it ends every ' +
        'access token and makes enrolled second factors (TOTP, recovery codes) unusable: keep it.',
      'generated once in `DATA_DIR`',
    ),
    ACCESS_TOKEN_TTL_SECONDS: setting(
      integer(60, 86_400, 'an integer from 60 to 86400'),
      900,
      'Access token lifetime (60 to 86400).',
    ),
  },
)

export type SecretConfig = Readonly<{
  /** null: generated once and kept in dataDir (never in production). */
  opaqueServerSetup: string | null
  /** Threads computing OPAQUE steps; null: one per CPU (os.availableParallelism()); 0: the event loop itself. */
  opaqueWorkers: number | null
  tokenSecret: string | null
  accessTokenTtlSeconds: number
}>

export const secretConfig = (env: EnvOf<typeof secretVariables>): SecretConfig => ({
  opaqueServerSetup: env.OPAQUE_SERVER_SETUP,
  opaqueWorkers: env.OPAQUE_WORKERS,
  tokenSecret: env.TOKEN_SECRET,
  accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
})
