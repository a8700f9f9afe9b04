/**
 * Knows `check`: every snapshot's metadata opens, every tree it reaches is readable, authentic and canonical,
 * and every data object it references is stored; with readData, every data object is also read, decrypted and
 * its id recomputed. Problems are collected, not thrown, so one bad object does not hide the others.
 */
import * as E from 'fp-ts/Either'
import { objectsMissing, raise, SnapshotError, SnapshotFailure } from './errors'
import { openObject, type ObjectId } from './object'
import { allSnapshots, attempt, loadTree, run, snapshotMetadata, type Repository } from './repository'
import { MAX_HAS_IDS, MAX_READ_IDS } from './store'

export type CheckProblem = Readonly<{ snapshotId?: string; id?: string; error: SnapshotError }>
export type CheckReport = Readonly<{
  snapshots: number
  trees: number
  dataObjects: number
  dataBytesRead: number
  problems: ReadonlyArray<CheckProblem>
}>

const failureOf = (e: unknown): SnapshotError => {
  if (e instanceof SnapshotFailure) return e.error
  throw e
}

/** Reads every data object in batches; a batch with missing ids is read again without them. */
const readAll = async (
  repo: Repository,
  ids: ReadonlyArray<ObjectId>,
  problems: CheckProblem[],
): Promise<number> => {
  let bytes = 0
  for (let i = 0; i < ids.length; i += MAX_READ_IDS) {
    let batch = ids.slice(i, i + MAX_READ_IDS)
    let objects = await repo.store.readObjects(batch)()
    if (E.isLeft(objects) && objects.left._tag === 'ObjectsMissing') {
      const missing = new Set(objects.left.ids)
      for (const id of missing) problems.push({ id, error: objectsMissing([id]) })
      batch = batch.filter((id) => !missing.has(id as string))
      if (batch.length === 0) continue
      objects = await repo.store.readObjects(batch)()
    }
    if (E.isLeft(objects)) return raise(objects.left)
    for await (const o of objects.right) {
      const opened = await openObject(repo.keys, 'data', o.id, o.bytes)
      if (E.isLeft(opened)) problems.push({ id: o.id, error: opened.left })
      else bytes += opened.right.length
    }
  }
  return bytes
}

const missingOf = async (
  repo: Repository,
  ids: ReadonlyArray<ObjectId>,
  problems: CheckProblem[],
): Promise<void> => {
  for (let i = 0; i < ids.length; i += MAX_HAS_IDS) {
    const batch = ids.slice(i, i + MAX_HAS_IDS)
    const present = await run(repo.store.has(batch))
    for (const id of batch) if (!present.has(id)) problems.push({ id, error: objectsMissing([id]) })
  }
}

export const check = (
  repo: Repository,
  options: Readonly<{ readData?: boolean }> = {},
): Promise<E.Either<SnapshotError, CheckReport>> =>
  attempt(async () => {
    const problems: CheckProblem[] = []
    const trees = new Set<ObjectId>()
    const data = new Set<ObjectId>()
    const snapshots = await allSnapshots(repo)
    for (const record of snapshots) {
      const pending: ObjectId[] = []
      try {
        pending.push((await snapshotMetadata(repo, record)).tree as ObjectId)
      } catch (e) {
        problems.push({ snapshotId: record.snapshotId, error: failureOf(e) })
      }
      for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
        if (trees.has(id)) continue
        trees.add(id)
        try {
          for (const entry of await loadTree(repo, id)) {
            if (entry.type === 'dir') pending.push(entry.subtree)
            if (entry.type === 'file') for (const c of entry.content) data.add(c)
          }
        } catch (e) {
          problems.push({ snapshotId: record.snapshotId, id, error: failureOf(e) })
        }
      }
    }
    const ids = [...data].sort()
    const dataBytesRead =
      options.readData === true
        ? await readAll(repo, ids, problems)
        : (await missingOf(repo, ids, problems), 0)
    return { snapshots: snapshots.length, trees: trees.size, dataObjects: data.size, dataBytesRead, problems }
  })
