/**
 * `zkeb-admin account …` and `stats`: the served use cases (in-process, or over a running server's admin
 * socket: the host decides), each failure one line and a documented exit code. Every change is recorded in
 * the account's audit trail by the use case, with the run's request id.
 */
import * as O from 'fp-ts/Option'
import {
  type AccountAdminView,
  type AccountPage,
  type AccountRef,
  type AccountSummary,
  type DeviceAdminView,
  maxAccountPage,
} from '../../application/admin'
import type { RequestContext } from '../../application/context'
import type { AccountId, Username } from '../../domain/ids'
import { parseByteSize, sizeHelp } from './byte-size'
import { confirmByTyping } from './confirm'
import { run, usage } from './failures'
import { AdminError, type AdminIo, ExitCode, formatBytes, type Output } from './output'
import type { ServedAdmin } from './socket-protocol'

export type AccountFlags = Readonly<{ yes: boolean; all: boolean; limit?: number; cursor?: string }>

/** What a parsed command does once the host hands it the use cases. */
export type AccountRun = (
  admin: ServedAdmin,
  io: AdminIo,
  out: Output,
  ctx: RequestContext,
) => Promise<number>

export const accountUsage =
  'zkeb-admin account list [--limit N] [--cursor USERNAME] [--all] | show|enable|disable|devices ACCOUNT | ' +
  'delete ACCOUNT [--yes] | quota ACCOUNT SIZE | sessions revoke ACCOUNT'

export const defaultAccountPage = 100

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const usernamePattern = /^[A-Za-z0-9._@+-]{3,128}$/

/** One positional argument exactly: the account, by id or username. */
const accountRef = (args: ReadonlyArray<string>): AccountRef => {
  const [arg, ...extra] = args
  if (arg === undefined || arg === '' || extra.length > 0) return usage(accountUsage)
  return uuid.test(arg) ? { accountId: arg.toLowerCase() as AccountId } : { username: arg as Username }
}

const status = (a: AccountSummary): string =>
  a.disabledAt === null ? 'active' : `disabled since ${a.disabledAt.toISOString()}`

const accountLine = (a: AccountSummary): string =>
  `${a.username} ${a.accountId} ${status(a)}, uses ${formatBytes(a.quota.usedBytes)} of ${formatBytes(a.quota.limitBytes)}`

const deviceLine = (d: DeviceAdminView): string =>
  `${d.deviceId} added ${d.createdAt.toISOString()}, last seen ${d.lastSeenAt.toISOString()}, ` +
  (d.revokedAt === null ? 'active' : `revoked ${d.revokedAt.toISOString()}`)

const listAccounts = async (admin: ServedAdmin, flags: AccountFlags): Promise<AccountPage> => {
  if (!flags.all)
    return run(
      admin.listAccounts({
        after: O.fromNullable(flags.cursor as Username | undefined),
        limit: flags.limit ?? defaultAccountPage,
      }),
    )
  const items: AccountSummary[] = []
  let after: O.Option<Username> = O.none
  for (;;) {
    const page = await run(admin.listAccounts({ after, limit: maxAccountPage }))
    items.push(...page.items)
    if (page.nextCursor === null) return { items, nextCursor: null }
    after = O.some(page.nextCursor)
  }
}

const listCommand = (args: ReadonlyArray<string>, flags: AccountFlags): AccountRun => {
  if (args.length > 0) usage(accountUsage)
  if (flags.all && (flags.limit !== undefined || flags.cursor !== undefined))
    throw new AdminError(ExitCode.usage, '--all lists every account: it takes no --limit or --cursor')
  if (flags.cursor !== undefined && !usernamePattern.test(flags.cursor))
    throw new AdminError(ExitCode.usage, '--cursor takes a username (the last one of the previous page)')
  return async (admin, io, out) => {
    const page = await listAccounts(admin, flags)
    out.result(page.items.length === 0 ? 'no accounts' : page.items.map(accountLine).join('\n'), page)
    if (page.nextCursor !== null && !out.json)
      io.stderr.write(`more accounts: zkeb-admin account list --cursor ${page.nextCursor}\n`)
    return ExitCode.ok
  }
}

const deleteCommand =
  (ref: AccountRef, flags: AccountFlags): AccountRun =>
  async (admin, io, out, ctx) => {
    const view = await run(admin.showAccount(ref))
    await confirmByTyping(
      io,
      flags.yes,
      `account delete erases ${view.username} and everything it stores (backups, devices, tokens, audit trail), for good`,
      view.username,
    )
    const gone = await run(admin.deleteAccount({ accountId: view.accountId }, ctx))
    out.result(`deleted ${gone.username} ${gone.accountId}`, { ...gone, deleted: true })
    return ExitCode.ok
  }

const devicesCommand =
  (ref: AccountRef): AccountRun =>
  async (admin, _io, out) => {
    const { account, devices } = await run(admin.listAccountDevices(ref))
    const text =
      devices.length === 0 ? `${account.username} has no devices` : devices.map(deviceLine).join('\n')
    out.result(text, { account, devices })
    return ExitCode.ok
  }

const revokeSessionsCommand =
  (ref: AccountRef): AccountRun =>
  async (admin, _io, out, ctx) => {
    const name = await run(admin.revokeAccountSessions(ref, ctx))
    out.result(`ended every session of ${name.username}: each of its devices logs in again`, {
      ...name,
      sessionsRevoked: true,
    })
    return ExitCode.ok
  }

const quotaBytes = (size: string): number => {
  const bytes = parseByteSize(size)
  if (bytes === null) throw new AdminError(ExitCode.usage, `the quota is ${sizeHelp}`)
  return bytes
}

const showing =
  (task: (admin: ServedAdmin, ctx: RequestContext) => Promise<AccountAdminView>): AccountRun =>
  async (admin, _io, out, ctx) => {
    const view = await task(admin, ctx)
    out.result(accountLine(view), view)
    return ExitCode.ok
  }

const quotaCommand = (args: ReadonlyArray<string>): AccountRun => {
  const [ref, size, ...extra] = args
  if (ref === undefined || size === undefined || extra.length > 0) return usage(accountUsage)
  const [account, bytes] = [accountRef([ref]), quotaBytes(size)]
  return showing((admin, ctx) => run(admin.setAccountQuota(account, bytes, ctx)))
}

const actions: Readonly<Record<string, (args: ReadonlyArray<string>, flags: AccountFlags) => AccountRun>> = {
  list: listCommand,
  show: (args) => {
    const ref = accountRef(args)
    return showing((admin) => run(admin.showAccount(ref)))
  },
  enable: (args) => {
    const ref = accountRef(args)
    return showing((admin, ctx) => run(admin.enableAccount(ref, ctx)))
  },
  disable: (args) => {
    const ref = accountRef(args)
    return showing((admin, ctx) => run(admin.disableAccount(ref, ctx)))
  },
  quota: quotaCommand,
  delete: (args, flags) => deleteCommand(accountRef(args), flags),
  devices: (args) => devicesCommand(accountRef(args)),
  sessions: ([verb, ...args]) =>
    verb === 'revoke' ? revokeSessionsCommand(accountRef(args)) : usage(accountUsage),
}

/**
 * Reads `account ACTION …` before anything is opened, so a usage error (exit 2) never waits for a database;
 * returns what the command does.
 */
export const accountCommand = (args: ReadonlyArray<string>, flags: AccountFlags): AccountRun => {
  const [action, ...rest] = args
  const parse = action !== undefined && Object.hasOwn(actions, action) ? actions[action] : undefined
  return parse === undefined ? usage(accountUsage) : parse(rest, flags)
}

export const statsCommand = async (admin: ServedAdmin, out: Output) => {
  const s = await run(admin.getServiceStats())
  out.result(
    `${s.accounts} accounts (${s.disabledAccounts} disabled), ${s.liveBackups} backups + ${s.trashedBackups} in trash ` +
      `(${formatBytes(s.backupBytes)}), ${s.blobs} blobs (${formatBytes(s.blobBytes)})`,
    s,
  )
  return ExitCode.ok
}
