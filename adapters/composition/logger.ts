/**
 * Knows how to make the one pino logger of a ZKEB process, JSON lines on stdout.
 * SECURITY: nothing here logs a body; the redact list is the safety net for a field that slips into a log
 * call by mistake (credentials, tokens, key material, ciphertext, encrypted metadata).
 */
import pino, { type Logger } from 'pino'
import { censor, secretFields, secretHeaders } from '../observability/redaction'
import type { Config } from './config'

/** Every pino redact path: the secret headers of requests and responses, plus each secret field at depth 1–2. */
export const redactPaths: ReadonlyArray<string> = [
  ...secretHeaders.flatMap((header) => [`req.headers["${header}"]`, `res.headers["${header}"]`]),
  ...secretFields.flatMap((field) => [field, `*.${field}`]),
]

export type LoggerOptions = Readonly<{
  level: Config['logLevel']
  destination?: pino.DestinationStream
  /** Human-readable lines (pino-pretty, a devDependency): only for development on a terminal. */
  pretty?: boolean
}>

/** Development on a terminal: the only case that gets pretty lines; pipes and production keep JSON. */
export const wantsPrettyLogs = (config: Pick<Config, 'nodeEnv'>, stdoutIsTty: boolean): boolean =>
  config.nodeEnv === 'development' && stdoutIsTty

/** pino-pretty as a synchronous stream, loaded only when asked (it is not installed in production images). */
const prettyStream = (): pino.DestinationStream => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional devDependency, loaded on demand
  const pretty = require('pino-pretty') as (options: Record<string, unknown>) => pino.DestinationStream
  return pretty({
    sync: true,
    colorize: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service',
  })
}

/** The process logger: level from LOG_LEVEL, secrets redacted, errors serialised with their stack. */
export const createLogger = ({ level, destination, pretty = false }: LoggerOptions): Logger =>
  pino(
    {
      level,
      base: { service: 'zkeb', pid: process.pid },
      redact: { paths: [...redactPaths], censor },
      serializers: { err: pino.stdSerializers.err },
    },
    destination ?? (pretty ? prettyStream() : pino.destination({ sync: true })),
  )

export type { Logger }
