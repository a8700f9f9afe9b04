/**
 * The one declaration of what never leaves the process in a log line, an error report or a span: field
 * names (at any depth the sinks look) and request headers. The pino logger, the Sentry scrubber and the span
 * scrubber all read these lists. SECURITY: the adapters already log no bodies or headers; this is the net
 * for a field that slips into a log call or an error report by mistake.
 */

/** Credentials, tokens, OPAQUE messages, key bundles, wrapped keys, signatures, metadata, bodies, secrets. */
export const secretFields: ReadonlyArray<string> = [
  'authorization',
  'cookie',
  'body',
  'password',
  'token',
  'accessToken',
  'refreshToken',
  'recoveryToken',
  'loginId',
  'registrationRequest',
  'registrationResponse',
  'registrationRecord',
  'startLoginRequest',
  'loginResponse',
  'finishLoginRequest',
  'recoveryProof',
  'recoveryVerifier',
  'keyBundle',
  'passwordWrappedUmk',
  'recoveryWrappedUmk',
  'wrappedKey',
  'wrappedKeys',
  'ciphertext',
  'signature',
  'metadata',
  'encryptedMetadata',
  'encryptedName',
  'tokenSecret',
  'serverSetup',
  'opaqueServerSetup',
  'connectionString',
  'databaseUrl',
  'databaseAppUrl',
  'redisUrl',
  'metricsToken',
  'sentryDsn',
  'logHashKey',
]

/** Request and response headers that carry credentials, key material or signatures. */
export const secretHeaders: ReadonlyArray<string> = [
  'authorization',
  'cookie',
  'set-cookie',
  'zkeb-signature',
  'zkeb-wrapped-key',
  'zkeb-metadata',
  'zkeb-content-sha256',
]

export const censor = '[redacted]'

const secretNames = new Set([...secretFields, ...secretHeaders].map((name) => name.toLowerCase()))

export const isSecretName = (name: string): boolean => secretNames.has(name.toLowerCase())

/** A copy of `value` with every secret-named field censored, at any depth (cycles cut). */
export const censorSecrets = (value: unknown, seen: WeakSet<object> = new WeakSet()): unknown => {
  if (typeof value !== 'object' || value === null) return value
  if (seen.has(value)) return '[cycle]'
  seen.add(value)
  if (Array.isArray(value)) return value.map((item) => censorSecrets(item, seen))
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [
      key,
      isSecretName(key) ? censor : censorSecrets(field, seen),
    ]),
  )
}

/** `path?query` without the query: query values may carry anything the caller put there. */
export const withoutQuery = (url: string): string => url.replace(/[?#].*$/s, '')
