/**
 * Knows how to keep the account's packs and object index in memory, with the same contract as the PostgreSQL
 * adapter: an id indexed once (first location wins), claims, and the collector's two deletions, which never
 * take a referenced object or a pack that still indexes one (the foreign keys' rule in PostgreSQL).
 */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { Unavailable } from '../../application/errors'
import type { IndexedPack, SnapshotObjectIndex } from '../../application/ports/snapshot-object-index'
import type { AccountId } from '../../domain/ids'
import type { ObjectId, PackEntry, SnapshotPack } from '../../domain/snapshot'
import { type PackExists, packExists } from '../../domain/snapshot-errors'
import { refIds } from '../../domain/snapshot-refs'
import { writing } from './in-memory-account-locks'
import { type InMemoryDatabase, memoryFailure, snapshotKey } from './in-memory-database'
import { inMemorySnapshotCollector } from './in-memory-snapshot-collector'

const insertPack = (
  db: InMemoryDatabase,
  pack: SnapshotPack,
  entries: ReadonlyArray<PackEntry>,
  claimedAt: Date,
): E.Either<Unavailable | PackExists, IndexedPack> => {
  if (!db.accounts.has(pack.accountId)) return E.left(memoryFailure('account not found'))
  const key = snapshotKey(pack.accountId, pack.packId)
  if (db.snapshotPacks.has(key)) return E.left(packExists(pack.packId))
  db.snapshotPacks.set(key, structuredClone(pack))
  let newObjects = 0
  let newBytes = 0
  for (const e of entries) {
    const objectKey = snapshotKey(pack.accountId, e.objectId)
    const held = db.snapshotObjects.get(objectKey)
    if (held === undefined) {
      const { objectId, offset, length } = e
      db.snapshotObjects.set(objectKey, {
        accountId: pack.accountId,
        objectId,
        packId: pack.packId,
        offset,
        length,
        claimedAt,
      })
      newObjects++
      newBytes += length
    } else if (held.claimedAt < claimedAt) db.snapshotObjects.set(objectKey, { ...held, claimedAt })
  }
  return E.right({ newObjects, newBytes })
}

const objectsOf = (db: InMemoryDatabase, accountId: AccountId) =>
  [...db.snapshotObjects.values()].filter((o) => o.accountId === accountId)

const packsOf = (db: InMemoryDatabase, accountId: AccountId) =>
  [...db.snapshotPacks.values()].filter((p) => p.accountId === accountId)

const sum = (ns: ReadonlyArray<number>): number => ns.reduce((a, b) => a + b, 0)

export const inMemorySnapshotObjectIndex = (db: InMemoryDatabase): SnapshotObjectIndex => ({
  findPack: (accountId, packId) =>
    TE.fromIO(() => O.fromNullable(structuredClone(db.snapshotPacks.get(snapshotKey(accountId, packId))))),
  insertPack: (pack, entries, claimedAt) =>
    writing(db, pack.accountId, () => insertPack(db, pack, entries, claimedAt)),
  claim: (accountId, ids, at) =>
    writing(db, accountId, () => {
      const present: ObjectId[] = []
      for (const id of ids) {
        const key = snapshotKey(accountId, id)
        const held = db.snapshotObjects.get(key)
        if (held === undefined) continue
        db.snapshotObjects.set(key, { ...held, claimedAt: at })
        present.push(id)
      }
      return E.right(present)
    }),
  locate: (accountId, ids) =>
    TE.fromIO(() =>
      [...new Set(ids)].flatMap((id) => {
        const held = db.snapshotObjects.get(snapshotKey(accountId, id))
        const pack = held && db.snapshotPacks.get(snapshotKey(accountId, held.packId))
        if (held === undefined || pack === undefined) return []
        return [{ objectId: id, blobId: pack.blobId, offset: held.offset, length: held.length }]
      }),
    ),
  missing: (accountId, refs, limit) =>
    TE.fromIO(() => {
      const missing = refIds(refs).filter((id) => !db.snapshotObjects.has(snapshotKey(accountId, id)))
      return { ids: missing.slice(0, limit), count: missing.length }
    }),
  stats: (accountId) =>
    TE.fromIO(() => {
      const objects = objectsOf(db, accountId)
      const packs = packsOf(db, accountId)
      return {
        storedBytes: sum(objects.map((o) => o.length)),
        objects: objects.length,
        packs: packs.length,
        packBytes: sum(packs.map((p) => p.sizeBytes)),
      }
    }),
  ...inMemorySnapshotCollector(db),
})
