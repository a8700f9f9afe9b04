/**
 * Knows how objects reach the store: each is identified, skipped if this run already has it, sealed, and
 * gathered into a pack; a full pack (PACK_TARGET_BYTES) asks the store which of its ids it already holds
 * (a killed earlier run's objects, another device's) and uploads only the rest, while the next pack fills.
 * Memory: the open pack plus at most `maxUploads` packs in flight.
 */
import { identifyObject, sealFrame, type ObjectId, type ObjectType } from './object'
import { buildPack, PACK_TARGET_BYTES } from './pack'
import { run, type Repository } from './repository'
import { MAX_HAS_IDS } from './store'

type Sealed = Readonly<{ id: ObjectId; type: ObjectType; bytes: Uint8Array }>

export type UploadStats = {
  bytesSent: number
  dataObjectsSent: number
  treeObjectsSent: number
  packsSent: number
}

export type Uploader = Readonly<{
  /** The object's id once it is known to be stored or queued for storing. */
  add: (type: ObjectType, plaintext: Uint8Array) => Promise<ObjectId>
  /** Uploads what is queued and waits for every upload; rejects with the first failure. */
  finish: () => Promise<void>
  stats: Readonly<UploadStats>
}>

export type UploaderOptions = Readonly<{
  /** Identify and seal, ask the store, but upload nothing (stats count what would be sent). */
  dryRun?: boolean
  /** Deflate data chunks too (trees always are). Off by default: it costs more CPU than it saves on media. */
  compressData?: boolean
  maxUploads?: number
}>

export const uploader = (repo: Repository, options: UploaderOptions = {}): Uploader => {
  const known = new Set<ObjectId>()
  const stats: UploadStats = { bytesSent: 0, dataObjectsSent: 0, treeObjectsSent: 0, packsSent: 0 }
  const inflight = new Set<Promise<void>>()
  let pending: Sealed[] = []
  let pendingBytes = 0
  let failure: Error | undefined

  const present = async (ids: ReadonlyArray<ObjectId>): Promise<ReadonlySet<ObjectId>> => {
    const found = new Set<ObjectId>()
    for (let i = 0; i < ids.length; i += MAX_HAS_IDS)
      for (const id of await run(repo.store.has(ids.slice(i, i + MAX_HAS_IDS)))) found.add(id)
    return found
  }

  const upload = async (objects: Sealed[]): Promise<void> => {
    const stored = await present(objects.map((o) => o.id))
    const missing = objects.filter((o) => !stored.has(o.id))
    if (missing.length === 0) return
    const pack = buildPack(missing)
    for (const o of missing) stats[o.type === 'data' ? 'dataObjectsSent' : 'treeObjectsSent']++
    objects.length = 0 // the pack holds the bytes now: let the sealed copies go while it uploads
    missing.length = 0
    if (options.dryRun !== true) await run(repo.store.putPack(pack))
    stats.bytesSent += pack.bytes.length
    stats.packsSent++
  }

  const flush = async (): Promise<void> => {
    const take = pending
    pending = []
    pendingBytes = 0
    if (take.length === 0) return
    while (inflight.size >= (options.maxUploads ?? 2)) await Promise.race(inflight)
    const job: Promise<void> = upload(take)
      .catch((e: unknown) => {
        failure ??= e instanceof Error ? e : new Error(String(e))
      })
      .finally(() => inflight.delete(job))
    inflight.add(job)
  }

  const add = async (type: ObjectType, plaintext: Uint8Array): Promise<ObjectId> => {
    if (failure !== undefined) throw failure
    const compress = type === 'tree' ? 6 : options.compressData === true ? 1 : false
    const { id, frame } = await identifyObject(repo.keys, type, plaintext, compress)
    if (known.has(id)) return id
    known.add(id)
    const bytes = await sealFrame(repo.keys, type, id, frame)
    pending.push({ id, type, bytes })
    pendingBytes += bytes.length
    if (pendingBytes >= PACK_TARGET_BYTES) await flush()
    return id
  }

  const finish = async (): Promise<void> => {
    await flush()
    while (inflight.size > 0) await Promise.race(inflight)
    if (failure !== undefined) throw failure
  }

  return { add, finish, stats }
}
