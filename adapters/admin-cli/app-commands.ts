/**
 * The commands that drive the admin use cases in-process (createZkeb): accounts, backfills, trash purge,
 * blob collection, statistics. Each maps a Left to one line and an exit code; nothing here runs SQL.
 */
import * as E from 'fp-ts/Either'
import type * as TE from 'fp-ts/TaskEither'
import type { AccountAdminView, AccountRef, AdminUseCases } from '../../application/admin'
import type { BackfillJob } from '../../application/ports/backfill-jobs'
import type { AccountId, Username } from '../../domain/ids'
import { AdminError, ExitCode, formatBytes, type Output } from './output'

export type Flags = Readonly<{
  batchSize?: number
  throttleMs?: number
  graceSeconds?: number
  dryRun: boolean
}>

type Failure = Readonly<{ _tag: string; name?: string; dependency?: string }>

const failureOf = (f: Failure): AdminError => {
  switch (f._tag) {
    case 'AccountNotFound':
      return new AdminError(ExitCode.notFound, 'no such account')
    case 'BackfillNotFound':
      return new AdminError(ExitCode.notFound, `no backfill named ${f.name ?? ''}`)
    case 'BackfillPaused':
      return new AdminError(
        ExitCode.paused,
        `backfill ${f.name ?? ''} is paused; progress is kept (resume it)`,
      )
    case 'VersionMismatch':
      return new AdminError(ExitCode.conflict, 'the account changed meanwhile; run the command again')
    case 'Unavailable':
      return new AdminError(ExitCode.unavailable, `${f.dependency ?? 'a dependency'} is unavailable`)
    default:
      return new AdminError(ExitCode.unexpected, `failed: ${f._tag}`)
  }
}

const run = async <A>(task: TE.TaskEither<Failure, A>): Promise<A> => {
  const result = await task()
  if (E.isLeft(result)) throw failureOf(result.left)
  return result.right
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const accountRef = (arg: string | undefined): AccountRef => {
  if (arg === undefined || arg === '')
    throw new AdminError(ExitCode.usage, 'name an account: its id or username')
  return uuid.test(arg) ? { accountId: arg.toLowerCase() as AccountId } : { username: arg as Username }
}

const accountLine = (a: AccountAdminView): string =>
  `${a.username} ${a.accountId} ${a.disabledAt === null ? 'active' : `disabled since ${a.disabledAt.toISOString()}`}, ` +
  `uses ${formatBytes(a.quota.usedBytes)} of ${formatBytes(a.quota.limitBytes)}`

const jobLine = (j: BackfillJob): string =>
  `${j.name}: ${j.state}, ${j.processed} rows in ${j.batches} batches` +
  (j.finishedAt === null ? '' : `, finished ${j.finishedAt.toISOString()}`)

export const accountCommand = async (admin: AdminUseCases, args: ReadonlyArray<string>, out: Output) => {
  const [action, ref, limit] = args
  const view = await run<AccountAdminView>(
    action === 'show'
      ? admin.showAccount(accountRef(ref))
      : action === 'disable'
        ? admin.disableAccount(accountRef(ref))
        : action === 'quota'
          ? admin.setAccountQuota(accountRef(ref), quotaBytes(limit))
          : usage('zkeb-admin account show|disable|quota ACCOUNT [BYTES]'),
  )
  out.result(accountLine(view), view)
  return ExitCode.ok
}

const quotaBytes = (arg: string | undefined): number => {
  const n = Number(arg)
  if (arg === undefined || !/^\d+$/.test(arg) || !Number.isSafeInteger(n))
    throw new AdminError(ExitCode.usage, 'the quota is a whole number of bytes')
  return n
}

const usage = (text: string): never => {
  throw new AdminError(ExitCode.usage, `usage: ${text}`)
}

const runOne = async (
  admin: AdminUseCases,
  name: string,
  flags: Flags,
  out: Output,
): Promise<BackfillJob> => {
  try {
    return await run(
      admin.runBackfill(name, {
        ...(flags.batchSize === undefined ? {} : { batchSize: flags.batchSize }),
        ...(flags.throttleMs === undefined ? {} : { throttleMs: flags.throttleMs }),
        onProgress: ({ job, total }) =>
          out.progress(
            `${name}: ${job.processed}/${total} rows (${total > 0 ? Math.floor((100 * job.processed) / total) : 100}%)`,
          ),
      }),
    )
  } finally {
    out.progressDone()
  }
}

export const backfillCommand = async (
  admin: AdminUseCases,
  args: ReadonlyArray<string>,
  flags: Flags,
  out: Output,
) => {
  const [action, name] = args
  if (action === 'status') {
    const jobs = await run(admin.listBackfills())
    out.result(jobs.length === 0 ? 'no backfills' : jobs.map(jobLine).join('\n'), jobs)
    return ExitCode.ok
  }
  if (action === 'pause' || action === 'resume') {
    if (name === undefined) usage(`zkeb-admin backfill ${action} NAME`)
    const job = await run(admin.pauseBackfill(name!, action === 'pause'))
    const ran = action === 'resume' && job.state === 'pending' ? await runOne(admin, name!, flags, out) : job
    out.result(jobLine(ran), ran)
    return ExitCode.ok
  }
  if (action !== 'run') return usage('zkeb-admin backfill run [NAME]|pause NAME|resume NAME|status')
  const names =
    name !== undefined
      ? [name]
      : (await run(admin.listBackfills())).filter((j) => j.state === 'pending').map((j) => j.name)
  const done: BackfillJob[] = []
  for (const each of names) done.push(await runOne(admin, each, flags, out))
  out.result(done.length === 0 ? 'no pending backfill' : done.map(jobLine).join('\n'), done)
  return ExitCode.ok
}

export const purgeTrashCommand = async (admin: AdminUseCases, out: Output) => {
  const { purged } = await run(admin.purgeExpiredTrash())
  out.result(`purged ${purged} expired backups from the trash`, { purged })
  return ExitCode.ok
}

export const expireUploadsCommand = async (admin: AdminUseCases, out: Output) => {
  const { expired } = await run(admin.expireUploads())
  out.result(`collected ${expired} expired resumable uploads`, { expired })
  return ExitCode.ok
}

/** Without --grace-seconds the configured grace applies (BLOB_GC_GRACE_SECONDS), as for the schedule. */
export const gcBlobsCommand = async (admin: AdminUseCases, flags: Flags, out: Output) => {
  try {
    const { unreferenced, collected } = await run(
      admin.collectGarbageBlobs({
        ...(flags.graceSeconds === undefined ? {} : { graceSeconds: flags.graceSeconds }),
        dryRun: flags.dryRun,
        onProgress: (p) =>
          out.progress(
            flags.dryRun ? `gc-blobs: ${p.unreferenced} found` : `gc-blobs: ${p.collected} deleted`,
          ),
      }),
    )
    out.progressDone()
    const result = { orphans: unreferenced, deleted: collected }
    out.result(
      flags.dryRun
        ? `${result.orphans} unreferenced blobs (dry run: none deleted)`
        : `deleted ${result.deleted} unreferenced blobs`,
      result,
    )
    return ExitCode.ok
  } finally {
    out.progressDone()
  }
}

export const statsCommand = async (admin: AdminUseCases, out: Output) => {
  const s = await run(admin.getServiceStats())
  out.result(
    `${s.accounts} accounts (${s.disabledAccounts} disabled), ${s.liveBackups} backups + ${s.trashedBackups} in trash ` +
      `(${formatBytes(s.backupBytes)}), ${s.blobs} blobs (${formatBytes(s.blobBytes)})`,
    s,
  )
  return ExitCode.ok
}
