/**
 * `zkeb-admin`: the operator's command line. Through its host (host.ts, wired in adapters/composition/admin-main.ts)
 * it embeds the application in-process (the same use cases as the HTTP API, over the same role and row-level
 * security) and, for `migrate`, the migrator. Configuration is the server's (DATABASE_URL, DATA_DIR,
 * TOKEN_SECRET…). `blobs migrate` moves blobs between PostgreSQL and the blob folder; `backup` and `restore`
 * are the service's own disaster recovery (both wired in adapters/composition). Exit codes: docs/operations.md.
 */
import { parseArgs } from 'node:util'
import {
  accountCommand,
  backfillCommand,
  expireUploadsCommand,
  type Flags,
  gcBlobsCommand,
  purgeTrashCommand,
  statsCommand,
} from './app-commands'
import type { OpenAdminHost } from './host'
import { migrateCommand } from './migrate-commands'
import { AdminError, type AdminIo, createOutput, ExitCode, type Output } from './output'

const help = `usage: zkeb-admin COMMAND [--json]
  migrate up|down|status
  backfill run [NAME] [--batch-size N] [--throttle-ms N] | pause NAME | resume NAME | status
  purge-trash
  expire-uploads
  gc-blobs [--grace-seconds N] [--dry-run]
  blobs migrate --to fs|postgres [--throttle-ms N]
  account show|disable ACCOUNT | account quota ACCOUNT BYTES   (ACCOUNT: id or username)
  stats
  backup --to DIR [--passphrase-file FILE]     (online; passphrase also from ZKEB_BACKUP_PASSPHRASE)
  restore --from DIR [--passphrase-file FILE]  (into an empty DATA_DIR or database and blob store)`

const options = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'dry-run': { type: 'boolean' },
  'batch-size': { type: 'string' },
  'throttle-ms': { type: 'string' },
  'grace-seconds': { type: 'string' },
  to: { type: 'string' },
} as const

const count = (flag: string, value: string | undefined, min: number): number | undefined => {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min)
    throw new AdminError(ExitCode.usage, `--${flag} takes a whole number (at least ${min})`)
  return n
}

const parse = (argv: ReadonlyArray<string>) => {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true })
  } catch (e) {
    throw new AdminError(ExitCode.usage, (e as Error).message.split('\n')[0] ?? 'bad arguments')
  }
}

const dispatch = async (
  argv: ReadonlyArray<string>,
  io: AdminIo,
  openHost: OpenAdminHost,
  out: (json: boolean) => Output,
) => {
  const { values, positionals } = parse(argv)
  const [command, ...rest] = positionals
  const output = out(values.json === true)
  if (values.help === true || command === undefined) {
    io.stdout.write(`${help}\n`)
    return command === undefined && values.help !== true ? ExitCode.usage : ExitCode.ok
  }
  const flags: Flags = {
    dryRun: values['dry-run'] === true,
    ...(values['batch-size'] === undefined
      ? {}
      : { batchSize: count('batch-size', values['batch-size'], 1) }),
    ...(values['throttle-ms'] === undefined
      ? {}
      : { throttleMs: count('throttle-ms', values['throttle-ms'], 0) }),
    ...(values['grace-seconds'] === undefined
      ? {}
      : { graceSeconds: count('grace-seconds', values['grace-seconds'], 0) }),
  }
  const known = [
    'migrate',
    'blobs',
    'backfill',
    'purge-trash',
    'expire-uploads',
    'gc-blobs',
    'account',
    'stats',
  ]
  if (!known.includes(command)) throw new AdminError(ExitCode.usage, `unknown command ${command}; see --help`)
  const host = openHost(io.env)
  if (command === 'migrate') return migrateCommand(host, rest[0], output)
  if (command === 'blobs') return host.blobs(rest[0], { to: values.to, throttleMs: flags.throttleMs }, output)
  return host.withAdmin((admin) => {
    switch (command) {
      case 'backfill':
        return backfillCommand(admin, rest, flags, output)
      case 'account':
        return accountCommand(admin, rest, output)
      case 'purge-trash':
        return purgeTrashCommand(admin, output)
      case 'expire-uploads':
        return expireUploadsCommand(admin, output)
      case 'gc-blobs':
        return gcBlobsCommand(admin, flags, output)
      default:
        return statsCommand(admin, output)
    }
  })
}

/** Runs one command; returns the exit code. Never throws: every failure is one line on stderr. */
export const runAdmin = async (
  argv: ReadonlyArray<string>,
  io: AdminIo,
  openHost: OpenAdminHost,
): Promise<number> => {
  try {
    if (argv[0] === 'backup' || argv[0] === 'restore')
      return await openHost(io.env).disasterRecovery(argv, io)
    return await dispatch(argv, io, openHost, (json) => createOutput(io, json))
  } catch (e) {
    const [code, message] =
      e instanceof AdminError
        ? [e.code, e.message]
        : [ExitCode.unexpected, `unexpected error: ${(e as Error).message}`]
    io.stderr.write(`zkeb-admin: ${message}\n`)
    return code
  }
}
