/**
 * Knows how to turn process.env into a typed Config: each concern's variables (config-*.ts) with their
 * defaults and descriptions, then the rules that span them (config-rules.ts).
 * SECURITY: errors name the variable and what it should be, never the value (it may be a secret).
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import { blobStoreChecks, blobStoreConfig, blobStoreVariables } from './config-blob-store'
import { type ConfigError, formatConfigErrors, toConfigErrors } from './config-errors'
import { limitConfig, limitVariables } from './config-limits'
import { observabilityConfig, observabilityVariables, type ObservabilityConfig } from './config-observability'
import { persistenceConfig, persistenceVariables } from './config-persistence'
import { crossChecks } from './config-rules'
import type { Config } from './config-shape'
import { secretConfig, secretVariables } from './config-secrets'
import { serverConfig, serverVariables } from './config-server'
import { storeConfig, storeVariables } from './config-stores'
import { StartupError } from './startup-error'

/** Every variable ZKEB reads, by concern, in the order docs/configuration.md lists them. */
export const variableGroups = [
  serverVariables,
  persistenceVariables,
  storeVariables,
  secretVariables,
  blobStoreVariables,
  limitVariables,
  observabilityVariables,
] as const

/** The variables ZKEB reads, with their defaults. Anything else in the environment is ignored. */
export const EnvCodec = t.type({
  ...serverVariables.variables,
  ...persistenceVariables.variables,
  ...storeVariables.variables,
  ...secretVariables.variables,
  ...blobStoreVariables.variables,
  ...limitVariables.variables,
  ...observabilityVariables.variables,
})
export type Env = t.TypeOf<typeof EnvCodec>

/** Everything the composition root needs, decoded and checked. `null` means "not set: use the default". */
export type { Config } from './config-shape'

export type { ConfigError, ObservabilityConfig }
export type { S3Config } from './config-blob-store'
export { formatConfigErrors }

const toConfig = (env: Env): Config => ({
  ...serverConfig(env),
  ...persistenceConfig(env),
  ...storeConfig(env),
  ...secretConfig(env),
  ...blobStoreConfig(env),
  ...limitConfig(env),
  ...observabilityConfig(env),
})

/** `a`, unless `problems` lists any. */
const unless = <A>(a: A, problems: ReadonlyArray<ConfigError>): E.Either<ReadonlyArray<ConfigError>, A> =>
  problems.length === 0 ? E.right(a) : E.left(problems)

/** Decodes the environment into a Config, or every problem found (never a value). */
export const decodeConfig = (
  env: Readonly<Record<string, string | undefined>>,
): E.Either<ReadonlyArray<ConfigError>, Config> =>
  pipe(
    EnvCodec.decode(env),
    E.mapLeft(toConfigErrors),
    E.flatMap((decoded) => unless(decoded, blobStoreChecks(decoded))),
    E.map(toConfig),
    E.flatMap((config) => unless(config, crossChecks(config))),
  )

/** For entry points: the Config, or a StartupError whose message lists every problem. */
export const loadConfig = (env: Readonly<Record<string, string | undefined>> = process.env): Config =>
  pipe(
    decodeConfig(env),
    E.getOrElse((errors): Config => {
      throw new StartupError(formatConfigErrors(errors))
    }),
  )
