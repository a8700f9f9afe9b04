/**
 * Knows how to take a consistent copy of a running PostgreSQL cluster whose folder this process can read (the
 * embedded one in DATA_DIR/postgres): PostgreSQL's low-level backup API, as pg_basebackup does it over the
 * replication protocol. pg_basebackup itself is not shipped with the embedded server, and Debian's (15)
 * refuses a newer server.
 *
 * One session: a temporary physical replication slot reserves the WAL from before the backup starts (no
 * checkpoint can recycle it while the files are copied), pg_backup_start forces a checkpoint and full-page
 * writes, the folder is copied (torn or changing pages are repaired by replaying WAL), pg_control last,
 * pg_backup_stop writes the end-of-backup record and hands back the backup_label, then the WAL segments from
 * the start to the end of the backup are copied while the slot still holds them. Started on such a copy,
 * PostgreSQL replays that WAL and opens at the end-of-backup point: every transaction committed by then is
 * in it, whole, and none committed later is.
 */
import { randomBytes } from 'node:crypto'
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type pg from 'pg'
import { copyTree, type CopyRules } from './file-tree'

export type BaseBackup = Readonly<{
  startLsn: string
  stopLsn: string
  timeline: number
  /** Files of the copy, relative to its folder (backup_label and WAL included). */
  files: ReadonlyArray<string>
}>

/** The contents of these folders are rebuilt or zeroed at start (PostgreSQL's own exclusion list). */
const emptiedAtStart = new Set([
  'pg_stat_tmp',
  'pg_replslot',
  'pg_dynshmem',
  'pg_notify',
  'pg_serial',
  'pg_snapshots',
  'pg_subtrans',
  'pg_wal',
])
const notCopied = new Set([
  'postgresql.auto.conf.tmp',
  'current_logfiles.tmp',
  'backup_label',
  'tablespace_map',
  'backup_manifest',
  'postmaster.pid',
  'postmaster.opts',
])
const controlFile = 'global/pg_control'

const rules: CopyRules = {
  skipContentsOf: (dir) => emptiedAtStart.has(dir) || path.basename(dir).startsWith('pgsql_tmp'),
  skipFile: (relative, name) =>
    notCopied.has(name) ||
    name.startsWith('pg_internal.init') ||
    name.startsWith('pgsql_tmp') ||
    relative === controlFile,
}

/** An LSN (`16/B374D848`) as a byte position. */
export const lsnPosition = (lsn: string): bigint => {
  const [high, low] = lsn.split('/')
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`)
}

const hex8 = (n: bigint | number): string => n.toString(16).toUpperCase().padStart(8, '0')

/** The WAL segment file holding `position` on `timeline`, named as PostgreSQL names it. */
export const walFileName = (timeline: number, segment: bigint, segmentBytes: bigint): string => {
  const perId = 0x1_0000_0000n / segmentBytes
  return hex8(timeline) + hex8(segment / perId) + hex8(segment % perId)
}

const isSegmentName = (name: string): boolean => /^[0-9A-F]{24}$/.test(name)
const isHistoryName = (name: string): boolean => /^[0-9A-F]{8}\.history$/.test(name)

type Started = Readonly<{ slot: string; startLsn: string; timeline: number; segmentBytes: bigint }>

const start = async (client: pg.Client): Promise<Started> => {
  const slot = `zkeb_backup_${randomBytes(6).toString('hex')}`
  // Temporary: dropped when this session ends, however it ends.
  await client.query('select pg_create_physical_replication_slot($1, true, true)', [slot])
  const started = await client.query<{ lsn: string }>(
    "select pg_backup_start('zkeb-admin backup', true) as lsn",
  )
  const settings = await client.query<{ timeline: number; segment: string }>(
    `select (select timeline_id from pg_control_checkpoint()) as timeline,
            (select setting from pg_settings where name = 'wal_segment_size') as segment`,
  )
  const { timeline, segment } = settings.rows[0]!
  return { slot, startLsn: started.rows[0]!.lsn, timeline, segmentBytes: BigInt(segment) }
}

type Stopped = Readonly<{ stopLsn: string; label: string; tablespaceMap: string }>

const stop = async (client: pg.Client): Promise<Stopped> => {
  const { rows } = await client.query<{ lsn: string; labelfile: string; spcmapfile: string }>(
    'select lsn::text, labelfile, spcmapfile from pg_backup_stop(false)',
  )
  const row = rows[0]!
  return { stopLsn: row.lsn, label: row.labelfile, tablespaceMap: row.spcmapfile }
}

/** Names of the WAL segments from the start's to the one before the stop position, checked for gaps. */
const neededSegments = async (
  pgData: string,
  s: Started,
  stopLsn: string,
): Promise<ReadonlyArray<string>> => {
  const first = lsnPosition(s.startLsn) / s.segmentBytes
  const last = (lsnPosition(stopLsn) - 1n) / s.segmentBytes
  const present = new Set((await readdir(path.join(pgData, 'pg_wal'))).filter(isSegmentName))
  const needed: string[] = []
  for (let segment = first; segment <= last; segment++) {
    const name = walFileName(s.timeline, segment, s.segmentBytes)
    if (!present.has(name)) throw new Error(`WAL segment ${name} is missing from ${pgData}/pg_wal`)
    needed.push(name)
  }
  return needed
}

const copyWal = async (pgData: string, target: string, s: Started, stopLsn: string) => {
  const wal = path.join(target, 'pg_wal')
  await mkdir(path.join(wal, 'archive_status'), { recursive: true, mode: 0o700 })
  const histories = (await readdir(path.join(pgData, 'pg_wal'))).filter(isHistoryName)
  const names = [...(await neededSegments(pgData, s, stopLsn)), ...histories]
  for (const name of names) {
    await copyFile(path.join(pgData, 'pg_wal', name), path.join(wal, name))
    // Marked archived, as pg_basebackup does: a server with archiving on must not archive them again.
    await writeFile(path.join(wal, 'archive_status', `${name}.done`), '')
  }
  return names.map((name) => `pg_wal/${name}`)
}

/**
 * Copies the cluster in `pgData` to `target` (a new folder) through `client`, a superuser session on that
 * cluster that nothing else uses meanwhile. On failure the session's end aborts the backup and drops the slot.
 */
export const takeBaseBackup = async (
  client: pg.Client,
  pgData: string,
  target: string,
): Promise<BaseBackup> => {
  const started = await start(client)
  const files = [...(await copyTree(pgData, target, rules))]
  await copyFile(path.join(pgData, controlFile), path.join(target, controlFile))
  files.push(controlFile)
  const stopped = await stop(client)
  await writeFile(path.join(target, 'backup_label'), stopped.label, { mode: 0o600 })
  files.push('backup_label')
  if (stopped.tablespaceMap !== '') {
    await writeFile(path.join(target, 'tablespace_map'), stopped.tablespaceMap, { mode: 0o600 })
    files.push('tablespace_map')
  }
  files.push(...(await copyWal(pgData, target, started, stopped.stopLsn)))
  await client.query('select pg_drop_replication_slot($1)', [started.slot])
  return { startLsn: started.startLsn, stopLsn: stopped.stopLsn, timeline: started.timeline, files }
}
