/**
 * The restore drill (docs/disaster-recovery.md): a serving ZKEB is populated (accounts, backups, trash, a restic
 * repository, a half-sent resumable upload), backed up online with `zkeb-admin backup` while clients keep
 * uploading, then lost (server stopped, DATA_DIR deleted, database dropped and bucket emptied), restored with
 * `zkeb-admin restore` into a fresh DATA_DIR (and database and bucket), started again and checked as clients
 * see it (restore-drill-checks.ts). test/ops/restore-drill.test.ts runs it in CI for both setups.
 *
 *   npx tsx ops/drill/restore-drill.ts embedded
 *   DRILL_DATABASE_URL=postgres://… DRILL_S3_ENDPOINT=http://… DRILL_S3_ACCESS_KEY_ID=… \
 *     DRILL_S3_SECRET_ACCESS_KEY=… npx tsx ops/drill/restore-drill.ts external
 *
 * The external setup creates (and drops) databases on DRILL_DATABASE_URL's server and buckets at the endpoint:
 * point it at a staging server, never at production. Needs the `restic` client.
 */
import { randomBytes } from 'node:crypto'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { checkRestored } from './restore-drill-checks'
import { startLoad } from './restore-drill-load'
import { populate } from './restore-drill-population'
import { type AdminRun, type DrillTarget, drillStack } from './restore-drill-stack'
import { sleep } from './processes'

/** Each a value the backup folder must never hold in clear. */
export type DrillSecret = Readonly<{ label: string; value: string }>

export type DrillReport = Readonly<{
  kind: DrillTarget['kind']
  backupFolder: string
  timingsMs: Readonly<
    Record<'start' | 'populate' | 'backup' | 'restore' | 'restart' | 'checks' | 'total', number>
  >
  backupWindowMs: number
  counts: Readonly<{
    users: number
    resticObjects: number
    loadUploads: number
    present: number
    absent: number
    committedDuringBackup: number
  }>
  secrets: ReadonlyArray<DrillSecret>
  /** Deletes the drill's folder (the backup included) and whatever it created on the servers. */
  cleanup: () => Promise<void>
}>

const succeeded = (what: string, run: AdminRun): void => {
  if (run.code !== 0) throw new Error(`zkeb-admin ${what} exited ${run.code}: ${run.stderr.trim()}`)
}

export const runRestoreDrill = async (target: DrillTarget, loadClients = 6): Promise<DrillReport> => {
  const work = await mkdtemp(path.join(tmpdir(), 'zkeb-restore-drill-'))
  await chmod(work, 0o755) // as root, the embedded server's `postgres` user must reach DATA_DIR
  const stack = await drillStack(target, work)
  const cleanup = async () => {
    await stack.cleanup()
    await rm(work, { recursive: true, force: true })
  }
  const began = Date.now()
  const timings: Record<string, number> = {}
  const timed = async <A>(name: string, work: () => Promise<A>): Promise<A> => {
    const at = Date.now()
    try {
      return await work()
    } finally {
      timings[name] = Date.now() - at
    }
  }
  try {
    await timed('start', stack.start)
    const population = await timed('populate', () => populate(stack.base, work))
    const passphrase = randomBytes(18).toString('base64url')
    const passphraseFile = path.join(work, 'passphrase')
    await writeFile(passphraseFile, `${passphrase}\n`, { mode: 0o600 })
    const backupFolder = path.join(work, 'backup')
    const load = startLoad(population.users, loadClients)
    await sleep(1_000) // some uploads confirmed before the backup begins: those must be restored
    const backup = await timed('backup', () =>
      stack.admin(['backup', '--to', backupFolder, '--passphrase-file', passphraseFile, '--json']),
    )
    await sleep(500) // and some begun after it ended: those must not
    const uploads = await load.stop()
    succeeded('backup', backup)
    const manifest = JSON.parse(await readFile(path.join(backupFolder, 'manifest.json'), 'utf8')) as {
      startedAt: string
      finishedAt: string
    }
    const window = { start: Date.parse(manifest.startedAt), end: Date.parse(manifest.finishedAt) }
    const serviceSecrets = await stack.dataDirSecrets()
    await stack.stop()
    await stack.destroy()
    await stack.freshTarget()
    const restore = await timed('restore', () =>
      stack.admin(['restore', '--from', backupFolder, '--passphrase-file', passphraseFile, '--json']),
    )
    succeeded('restore', restore)
    await timed('restart', stack.start)
    const checked = await timed('checks', () => checkRestored(stack.base, population, uploads, window))
    await stack.stop()
    if (checked.load.committedDuringBackup < 20)
      throw new Error(
        `only ${checked.load.committedDuringBackup} uploads committed during the backup (at least 20 wanted)`,
      )
    const secrets: DrillSecret[] = [
      ...Object.entries(serviceSecrets).map(([label, value]) => ({
        label: `DATA_DIR/secrets/${label}`,
        value,
      })),
      { label: 'backup passphrase', value: passphrase },
      { label: 'restic token', value: population.restic.repository.token },
      { label: 'restic repository password', value: population.restic.repository.password },
      ...population.users.map((u) => ({ label: `password of ${u.username}`, value: u.password })),
    ]
    return {
      kind: target.kind,
      backupFolder,
      timingsMs: { ...(timings as DrillReport['timingsMs']), total: Date.now() - began },
      backupWindowMs: window.end - window.start,
      counts: {
        users: checked.users,
        resticObjects: checked.resticObjects,
        loadUploads: uploads.length,
        ...checked.load,
      },
      secrets,
      cleanup,
    }
  } catch (e) {
    await cleanup()
    throw e
  }
}

const targetFromEnv = (kind: string | undefined): DrillTarget => {
  if (kind === 'embedded') return { kind }
  const env = process.env
  const databaseServerUrl = env['DRILL_DATABASE_URL'] || env['TEST_DATABASE_URL']
  const endpoint = env['DRILL_S3_ENDPOINT']
  if (kind !== 'external' || !databaseServerUrl || !endpoint)
    throw new Error(
      'usage: restore-drill.ts embedded | external (with DRILL_DATABASE_URL and DRILL_S3_* set)',
    )
  const credentials = {
    accessKeyId: env['DRILL_S3_ACCESS_KEY_ID'] ?? '',
    secretAccessKey: env['DRILL_S3_SECRET_ACCESS_KEY'] ?? '',
  }
  return {
    kind,
    databaseServerUrl,
    s3: { endpoint, region: env['DRILL_S3_REGION'] ?? 'us-east-1', credentials, forcePathStyle: true },
  }
}

if (require.main === module) {
  runRestoreDrill(targetFromEnv(process.argv[2])).then(
    async (report) => {
      const { cleanup, secrets: _, ...shown } = report
      process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`)
      await cleanup()
    },
    (e: unknown) => {
      process.stderr.write(`${(e as Error).message}\n`)
      process.exitCode = 1
    },
  )
}
