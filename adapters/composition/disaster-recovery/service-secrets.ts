/**
 * Knows ZKEB's own secrets as a backup sees them: the files of DATA_DIR/secrets (generated outside production:
 * OPAQUE server setup, token secret, embedded PostgreSQL passwords) and the variables that carry a secret
 * (production sets OPAQUE_SERVER_SETUP and TOKEN_SECRET; URLs may hold passwords). Everything else ZKEB reads
 * is configuration, kept in the manifest in clear.
 * SECURITY: values go only into the sealed envelope or back into DATA_DIR/secrets (0600 in a 0700 folder);
 * messages name variables and files, never values.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { EnvCodec } from '../config'
import { AdminError, ExitCode } from '../../admin-cli/output'
import type { SecretsEnvelope } from './secrets-envelope'

type Env = Readonly<Record<string, string | undefined>>

const secretVariables = new Set([
  'OPAQUE_SERVER_SETUP',
  'TOKEN_SECRET',
  'DATABASE_URL',
  'DATABASE_APP_URL',
  'REDIS_URL',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'METRICS_TOKEN',
  'LOG_HASH_KEY',
  'SENTRY_DSN',
])

/** The secrets a restored server cannot do without: the variable, and the DATA_DIR file that stands in for it. */
const vital = [
  { variable: 'OPAQUE_SERVER_SETUP', file: 'opaque-server-setup', loss: 'every account would be locked out' },
  { variable: 'TOKEN_SECRET', file: 'token-secret', loss: 'every access token would end' },
] as const

const secretsFolder = (dataDir: string) => path.join(dataDir, 'secrets')
const setIn = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim()
  return value === undefined || value === '' ? undefined : value
}

export type CollectedSecrets = Readonly<{
  configuration: Record<string, string>
  dataDirSecrets: Record<string, string>
  environment: Record<string, string>
}>

export const collectSecrets = async (env: Env, dataDir: string): Promise<CollectedSecrets> => {
  const configuration: Record<string, string> = {}
  const environment: Record<string, string> = {}
  for (const name of Object.keys(EnvCodec.props)) {
    const value = setIn(env, name)
    if (value !== undefined) (secretVariables.has(name) ? environment : configuration)[name] = value
  }
  const dataDirSecrets: Record<string, string> = {}
  const names = await readdir(secretsFolder(dataDir)).catch(() => [])
  for (const name of names.sort())
    dataDirSecrets[name] = (await readFile(path.join(secretsFolder(dataDir), name), 'utf8')).trim()
  for (const { variable, file, loss } of vital)
    if (environment[variable] === undefined && dataDirSecrets[file] === undefined)
      throw new AdminError(
        ExitCode.notFound,
        `no ${variable} (variable or DATA_DIR/secrets/${file}): without it ${loss} after a restore`,
      )
  return { configuration, dataDirSecrets, environment }
}

/**
 * A restored server must run with the secrets of the backup. One the environment sets must equal the backup's;
 * one the backup took from the environment must be set again (restore writes DATA_DIR's files only).
 */
export const checkVitalSecrets = (envelope: SecretsEnvelope, env: Env): void => {
  for (const { variable, file, loss } of vital) {
    const backedUp = envelope.environment[variable] ?? envelope.dataDirSecrets[file]
    const now = setIn(env, variable)
    if (now !== undefined && backedUp !== undefined && now !== backedUp)
      throw new AdminError(
        ExitCode.conflict,
        `${variable} differs from the backup's: ${loss}; set it to the backed-up value (age -d secrets.age)`,
      )
    if (now === undefined && envelope.environment[variable] !== undefined)
      throw new AdminError(
        ExitCode.conflict,
        `the backup's ${variable} came from the environment: set it again (age -d secrets.age shows it)`,
      )
  }
}

/** Writes the backed-up DATA_DIR/secrets files; a file already there must hold the same value. */
export const restoreDataDirSecrets = async (dataDir: string, secrets: Readonly<Record<string, string>>) => {
  const folder = secretsFolder(dataDir)
  await mkdir(folder, { recursive: true, mode: 0o700 })
  for (const [name, value] of Object.entries(secrets)) {
    if (!/^[a-z0-9-]+$/.test(name))
      throw new AdminError(ExitCode.conflict, 'secrets.age names an invalid file')
    const file = path.join(folder, name)
    const existing = await readFile(file, 'utf8').catch(() => undefined)
    if (existing !== undefined && existing.trim() !== value)
      throw new AdminError(ExitCode.conflict, `DATA_DIR/secrets/${name} exists and differs from the backup's`)
    if (existing === undefined) await writeFile(file, `${value}\n`, { mode: 0o600, flag: 'wx' })
  }
}
