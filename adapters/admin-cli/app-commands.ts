/**
 * The commands that drive the admin use cases in-process only (createZkeb): backfills, trash purge, upload
 * expiry, blob collection. Each maps a Left to one line and an exit code; nothing here runs SQL.
 */
import type { AdminUseCases } from '../../application/admin'
import type { BackfillJob } from '../../application/ports/backfill-jobs'
import { run, usage } from './failures'
import { ExitCode, type Output } from './output'

export type Flags = Readonly<{
  batchSize?: number
  throttleMs?: number
  graceSeconds?: number
  dryRun: boolean
}>

const jobLine = (j: BackfillJob): string =>
  `${j.name}: ${j.state}, ${j.processed} rows in ${j.batches} batches` +
  (j.finishedAt === null ? '' : `, finished ${j.finishedAt.toISOString()}`)

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

/**
 * Without --grace-seconds the configured grace applies (SNAPSHOT_GC_GRACE_SECONDS), as for the schedule. A grace
 * shorter than the longest running backup can collect objects that backup was told are stored.
 */
export const gcSnapshotsCommand = async (admin: AdminUseCases, flags: Flags, out: Output) => {
  const { accounts, objects, packs } = await run(
    admin.collectSnapshotGarbage(
      flags.graceSeconds === undefined ? {} : { graceSeconds: flags.graceSeconds },
    ),
  )
  out.result(
    `collected ${objects} unreferenced snapshot objects and ${packs} empty packs (${accounts} accounts)`,
    { accounts, objects, packs },
  )
  return ExitCode.ok
}
