/**
 * Knows how to make sure every running instance keeps its blob files in one and the same folder: each instance
 * that uses a folder registers a row (zkeb.blob_folder_instances: its folder's identity, host, pid) and
 * refreshes it with a heartbeat. Registration, one at a time under a transaction-scoped advisory lock, first
 * forgets rows whose heartbeat is older than `staleAfterMs` (instances killed without closing), then refuses
 * if a live row names another folder. An instance whose own row went stale (paused, cut off from the database)
 * registers again at its next heartbeat; if another folder took over meanwhile, `problem` reports it and the
 * readiness probe fails, so /api/health takes that instance out of service.
 * Times are the database's (now()), so the instances' clocks need not agree.
 */
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Knex } from 'knex'

export type RegistryTiming = Readonly<{ heartbeatMs: number; staleAfterMs: number }>

/** A heartbeat every 10 s; a row unrefreshed for 60 s belongs to an instance that is gone. */
export const defaultRegistryTiming: RegistryTiming = { heartbeatMs: 10_000, staleAfterMs: 60_000 }

export type OtherInstance = Readonly<{ host: string; pid: number; secondsAgo: number }>

/** Another live instance keeps its blobs in another folder. */
export class FolderConflict extends Error {
  constructor(readonly other: OtherInstance) {
    super(
      `another ZKEB instance (host ${other.host}, pid ${other.pid}, seen ${Math.round(other.secondsAgo)} s ago) ` +
        'keeps blobs in a different folder; blobs on the filesystem need one folder for every instance ' +
        '(one instance, or instances sharing one volume): see docs/operations-blobs.md',
    )
  }
}

export type FolderRegistration = Readonly<{
  /** Why the folder must not serve now (another folder took over), or null. */
  problem: () => Error | null
  /** Stops the heartbeat and removes the row. Idempotent. */
  close: () => Promise<void>
}>

const table = 'zkeb.blob_folder_instances'

type Row = { host: string; pid: string; seconds_ago: number }

/** Registers `instanceId` for `folderId`, or returns the live instance on another folder that prevents it. */
const register = (knex: Knex, instanceId: string, folderId: string, timing: RegistryTiming) =>
  knex.transaction(async (trx): Promise<OtherInstance | null> => {
    await trx.raw("select pg_advisory_xact_lock(hashtext('zkeb/blob-folders'))")
    await trx.raw(`delete from ${table} where heartbeat_at < now() - make_interval(secs => ?)`, [
      timing.staleAfterMs / 1000,
    ])
    const { rows } = await trx.raw<{ rows: Row[] }>(
      `select host, pid, extract(epoch from now() - heartbeat_at)::float8 as seconds_ago from ${table}
       where folder_id <> ? and instance_id <> ? order by heartbeat_at desc limit 1`,
      [folderId, instanceId],
    )
    const other = rows[0]
    if (other !== undefined)
      return { host: other.host, pid: Number(other.pid), secondsAgo: other.seconds_ago }
    await trx.raw(
      `insert into ${table} (instance_id, folder_id, host, pid) values (?, ?, ?, ?)
       on conflict (instance_id) do update set heartbeat_at = now()`,
      [instanceId, folderId, hostname(), process.pid],
    )
    return null
  })

/**
 * Registers this process's use of the folder `folderId`; throws FolderConflict when a live instance uses
 * another folder. The heartbeat timer does not keep the process alive.
 */
export const registerBlobFolder = async (
  knex: Knex,
  folderId: string,
  timing: RegistryTiming = defaultRegistryTiming,
): Promise<FolderRegistration> => {
  const instanceId = randomUUID()
  const refused = await register(knex, instanceId, folderId, timing)
  if (refused !== null) throw new FolderConflict(refused)
  let problem: Error | null = null
  let beating: Promise<void> = Promise.resolve()
  const beat = async () => {
    const refreshed = await knex(table)
      .where({ instance_id: instanceId })
      .update({ heartbeat_at: knex.fn.now() })
    if (refreshed === 1) return
    const other = await register(knex, instanceId, folderId, timing)
    problem = other === null ? null : new FolderConflict(other)
  }
  // A database that does not answer leaves `problem` as it was: the database's own check reports the outage.
  const timer = setInterval(() => void (beating = beat().catch(() => undefined)), timing.heartbeatMs)
  timer.unref()
  let closing: Promise<void> | undefined
  return {
    problem: () => problem,
    close: () =>
      (closing ??= (async () => {
        clearInterval(timer)
        await beating
        await knex(table)
          .where({ instance_id: instanceId })
          .delete()
          .catch(() => undefined)
      })()),
  }
}
