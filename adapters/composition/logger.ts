/**
 * Knows how to make the one pino logger of a ZKEB process, JSON lines on stdout.
 * SECURITY: nothing here logs a body; the redact list is the safety net for a field that slips into a log
 * call by mistake (credentials, tokens, key material, ciphertext, encrypted metadata).
 */
import pino, { type Logger } from 'pino'
import type { Config } from './config'

/** Field names whose values never reach a log line, wherever they appear (top level or one level down). */
const secretFields = [
  'authorization',
  'cookie',
  'body',
  'password',
  'token',
  'accessToken',
  'refreshToken',
  'recoveryToken',
  'tokenSecret',
  'serverSetup',
  'opaqueServerSetup',
  'keyBundle',
  'wrappedKey',
  'ciphertext',
  'signature',
  'encryptedMetadata',
  'encryptedName',
  'registrationRecord',
  'connectionString',
  'databaseUrl',
  'databaseAppUrl',
  'redisUrl',
]

/** Every pino redact path: the header and body forms of requests and responses, plus each field at depth 1–2. */
export const redactPaths: ReadonlyArray<string> = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["zkeb-signature"]',
  'req.headers["zkeb-wrapped-key"]',
  'req.headers["zkeb-metadata"]',
  'res.headers["set-cookie"]',
  ...secretFields.flatMap((field) => [field, `*.${field}`]),
]

export type LoggerOptions = Readonly<{ level: Config['logLevel']; destination?: pino.DestinationStream }>

/** The process logger: level from LOG_LEVEL, secrets redacted, errors serialised with their stack. */
export const createLogger = ({ level, destination }: LoggerOptions): Logger =>
  pino(
    {
      level,
      base: { service: 'zkeb', pid: process.pid },
      redact: { paths: [...redactPaths], censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    destination ?? pino.destination({ sync: true }),
  )

export type { Logger }
