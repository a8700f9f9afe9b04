/**
 * `zkeb-admin`: the operator's command line. Through its host (host.ts, wired in adapters/composition/admin-main.ts)
 * it embeds the application in-process (the same use cases as the HTTP API, over the same role and row-level
 * security) or, for `account` and `stats` while a server holds DATA_DIR, asks that server over its admin
 * socket; and, for `migrate`, the migrator. Configuration is the server's (DATABASE_URL, DATA_DIR,
 * TOKEN_SECRET…). `blobs migrate` moves blobs between PostgreSQL and the blob folder; `backup` and `restore`
 * are the service's own disaster recovery (both wired in adapters/composition). Exit codes: docs/operations.md.
 */
import { randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import { type AccountFlags, accountCommand, statsCommand } from './account-commands'
import {
  backfillCommand,
  expireUploadsCommand,
  type Flags,
  gcBlobsCommand,
  gcSnapshotsCommand,
  purgeTrashCommand,
} from './app-commands'
import { maxAccountPage } from '../../application/admin'
import type { OpenAdminHost } from './host'
import { migrateCommand } from './migrate-commands'
import { AdminError, type AdminIo, createOutput, ExitCode, type Output } from './output'

const help = `usage: zkeb-admin COMMAND [--json]
  migrate up|down|status
  backfill run [NAME] [--batch-size N] [--throttle-ms N] | pause NAME | resume NAME | status
  purge-trash
  expire-uploads
  gc-blobs [--grace-seconds N] [--dry-run]
  gc-snapshots [--grace-seconds N]
  blobs migrate --to fs|postgres [--throttle-ms N]
  account list [--limit N] [--cursor USERNAME] [--all]
  account show|enable|disable|devices ACCOUNT         (ACCOUNT: id or username)
  account delete ACCOUNT [--yes]                      (asks for the username on a terminal)
  account quota ACCOUNT SIZE                          (bytes, or 10GiB, 500MB, 1.5TB…)
  account sessions revoke ACCOUNT
  stats
  backup --to DIR [--passphrase-file FILE]           (online; passphrase also from ZKEB_BACKUP_PASSPHRASE)
  restore --from DIR [--passphrase-file FILE]        (into an empty DATA_DIR or database and blob store)`

const options = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'dry-run': { type: 'boolean' },
  'batch-size': { type: 'string' },
  'throttle-ms': { type: 'string' },
  'grace-seconds': { type: 'string' },
  to: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  all: { type: 'boolean' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
} as const

const count = (flag: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number => {
  const n = Number(value)
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max)
    throw new AdminError(
      ExitCode.usage,
      `--${flag} takes a whole number (at least ${min}${max < Number.MAX_SAFE_INTEGER ? `, at most ${max}` : ''})`,
    )
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
  if (values.help === true) {
    io.stdout.write(`${help}\n`)
    return ExitCode.ok
  }
  if (command === undefined) {
    io.stderr.write(`${help}\n`)
    return ExitCode.usage
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
    'gc-snapshots',
    'account',
    'stats',
  ]
  if (!known.includes(command)) throw new AdminError(ExitCode.usage, `unknown command ${command}; see --help`)
  const accountFlags: AccountFlags = {
    yes: values.yes === true,
    all: values.all === true,
    ...(values.limit === undefined ? {} : { limit: count('limit', values.limit, 1, maxAccountPage) }),
    ...(values.cursor === undefined ? {} : { cursor: values.cursor }),
  }
  const accountRun = command === 'account' ? accountCommand(rest, accountFlags) : null
  const host = openHost(io.env)
  if (command === 'migrate') return migrateCommand(host, rest[0], output)
  if (command === 'blobs') return host.blobs(rest[0], { to: values.to, throttleMs: flags.throttleMs }, output)
  if (command === 'account' || command === 'stats') {
    const ctx = { requestId: `zkeb-admin:${randomUUID()}` }
    return host.withServed(ctx.requestId, (admin) =>
      accountRun === null ? statsCommand(admin, output) : accountRun(admin, io, output, ctx),
    )
  }
  return host.withAdmin((admin) => {
    switch (command) {
      case 'backfill':
        return backfillCommand(admin, rest, flags, output)
      case 'purge-trash':
        return purgeTrashCommand(admin, output)
      case 'expire-uploads':
        return expireUploadsCommand(admin, output)
      case 'gc-snapshots':
        return gcSnapshotsCommand(admin, flags, output)
      default:
        return gcBlobsCommand(admin, flags, output)
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
