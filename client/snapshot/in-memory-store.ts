/**
 * The in-memory twin of the snapshot store, with the server's rules of protocol v1.1: packs parsed and indexed
 * (first copy of an id wins), quota on unique stored bytes, refs checked on create, idempotent retries, and a
 * GC that removes objects no snapshot references (tests call it directly: there is no grace clock here).
 */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import {
  objectsMissing,
  packExists,
  quotaExceeded,
  snapshotExists,
  snapshotKeyExists,
  storeUnavailable,
} from './errors'
import { sameBytes } from './binary'
import type { ObjectId } from './object'
import { parsePackHeader } from './pack'
import { refsBytes, sha256Hex, type NewSnapshot, type SnapshotId } from './snapshot-record'
import { MAX_HAS_IDS, MAX_READ_IDS, SnapshotRecord, SnapshotStore, StoreStats } from './store'

/** A lazy task: the effect runs when the task is run, as in the knex adapters. */
const lazy =
  <A>(f: () => A): (() => Promise<A>) =>
  () =>
    Promise.resolve().then(f)

type Located = Readonly<{ packId: string; offset: number; length: number }>
type Stored = SnapshotRecord & Readonly<{ seq: number; refs: ReadonlyArray<ObjectId> }>

export type InMemorySnapshotStore = SnapshotStore &
  Readonly<{
    /** What arrived, for tests: packs and their bytes. */
    counters: { packs: number; packBytes: number; hasCalls: number; readCalls: number }
    /** Removes objects no snapshot references, then packs with no live object. */
    collectGarbage: () => Readonly<{ objects: number; packs: number }>
    /** Flips one byte of a stored object (tests of corruption). */
    corrupt: (id: ObjectId) => void
  }>

export const inMemorySnapshotStore = (
  options: Readonly<{ quotaBytes?: number; now?: () => Date }> = {},
): InMemorySnapshotStore => {
  let key: Uint8Array | undefined
  const packs = new Map<string, Readonly<{ bytes: Uint8Array; sha256: string }>>()
  const index = new Map<ObjectId, Located>()
  const snapshots = new Map<SnapshotId, Stored>()
  const counters = { packs: 0, packBytes: 0, hasCalls: 0, readCalls: 0 }
  let seq = 0
  const now = options.now ?? (() => new Date())
  const storedBytes = () => [...index.values()].reduce((n, o) => n + o.length, 0)
  const tooMany = (n: number, max: number) => E.left(storeUnavailable(`too many ids (${n} > ${max})`))
  const record = ({ seq: _s, refs: _r, ...r }: Stored): SnapshotRecord => structuredClone(r)

  const store: SnapshotStore = {
    getKey: () => lazy(() => E.right(O.fromNullable(key?.slice()))),
    putKey: (wrapped) =>
      lazy(() => {
        if (key !== undefined && !sameBytes(key, wrapped)) return E.left(snapshotKeyExists)
        key = wrapped.slice()
        return E.right(undefined)
      }),
    has: (ids) =>
      lazy(() => {
        counters.hasCalls++
        if (ids.length > MAX_HAS_IDS) return tooMany(ids.length, MAX_HAS_IDS)
        return E.right(new Set(ids.filter((id) => index.has(id))))
      }),
    putPack: (pack) =>
      lazy(() => {
        const existing = packs.get(pack.packId)
        if (existing !== undefined)
          return existing.sha256 === pack.sha256 ? E.right(undefined) : E.left(packExists(pack.packId))
        if (sha256Hex(pack.bytes) !== pack.sha256) return E.left(storeUnavailable('content-hash-mismatch'))
        const entries = parsePackHeader(pack.bytes, pack.bytes.length)
        if (E.isLeft(entries)) return E.left(storeUnavailable(`bad-pack: ${entries.left.reason}`))
        const fresh = entries.right.filter((e) => !index.has(e.id))
        const added = fresh.reduce((n, e) => n + e.length, 0)
        if (options.quotaBytes !== undefined && storedBytes() + added > options.quotaBytes)
          return E.left(quotaExceeded)
        packs.set(pack.packId, { bytes: pack.bytes.slice(), sha256: pack.sha256 })
        for (const e of fresh) index.set(e.id, { packId: pack.packId, offset: e.offset, length: e.length })
        counters.packs++
        counters.packBytes += pack.bytes.length
        return E.right(undefined)
      }),
    readObjects: (ids) =>
      lazy(() => {
        counters.readCalls++
        if (ids.length > MAX_READ_IDS) return tooMany(ids.length, MAX_READ_IDS)
        const missing = [...new Set(ids.filter((id) => !index.has(id)))]
        if (missing.length > 0) return E.left(objectsMissing(missing))
        const located = ids.map((id) => ({ id, at: index.get(id)! }))
        async function* objects() {
          for (const { id, at } of located) {
            await Promise.resolve()
            const bytes = packs.get(at.packId)!.bytes.slice(at.offset, at.offset + at.length)
            yield { id, bytes }
          }
        }
        return E.right(objects())
      }),
    putSnapshot: (s: NewSnapshot) =>
      lazy(() => {
        const refsSha256 = sha256Hex(refsBytes(s.refs))
        const existing = snapshots.get(s.snapshotId)
        if (existing !== undefined) {
          const same = existing.refsSha256 === refsSha256 && sameBytes(existing.signature, s.signature)
          return same ? E.right(record(existing)) : E.left(snapshotExists(s.snapshotId))
        }
        const missing = s.refs.filter((id) => !index.has(id))
        if (missing.length > 0) return E.left(objectsMissing(missing))
        const stored: Stored = {
          snapshotId: s.snapshotId,
          seriesId: s.seriesId,
          deviceId: s.deviceId,
          receivedAt: now().toISOString(),
          encryptedMetadata: s.encryptedMetadata.slice(),
          signature: s.signature.slice(),
          refCount: s.refs.length,
          refsSha256,
          seq: ++seq,
          refs: [...s.refs],
        }
        snapshots.set(s.snapshotId, stored)
        return E.right(record(stored))
      }),
    listSnapshots: (q) =>
      lazy(() => {
        const limit = q.limit ?? 50
        const after = q.cursor === undefined ? Infinity : Number(q.cursor)
        const all = [...snapshots.values()]
          .filter((s) => (q.seriesId === undefined || s.seriesId === q.seriesId) && s.seq < after)
          .sort((a, b) => b.seq - a.seq)
        const items = all.slice(0, limit)
        const nextCursor = all.length > limit ? String(items[items.length - 1]!.seq) : null
        return E.right({ items: items.map(record), nextCursor })
      }),
    getSnapshot: (id) => lazy(() => E.right(O.map(record)(O.fromNullable(snapshots.get(id))))),
    deleteSnapshot: (id) => lazy(() => E.right(snapshots.delete(id))),
    stats: () =>
      lazy(() =>
        E.right<never, StoreStats>({
          storedBytes: storedBytes(),
          objects: index.size,
          packs: packs.size,
          snapshots: snapshots.size,
        }),
      ),
  }

  const collectGarbage = () => {
    const live = new Set([...snapshots.values()].flatMap((s) => s.refs))
    const dead = [...index.keys()].filter((id) => !live.has(id))
    for (const id of dead) index.delete(id)
    const livePacks = new Set([...index.values()].map((o) => o.packId))
    const deadPacks = [...packs.keys()].filter((p) => !livePacks.has(p))
    for (const p of deadPacks) packs.delete(p)
    return { objects: dead.length, packs: deadPacks.length }
  }
  const corrupt = (id: ObjectId) => {
    const at = index.get(id)!
    const bytes = packs.get(at.packId)!.bytes
    bytes[at.offset + at.length - 1]! ^= 0x01
  }
  return { ...store, counters, collectGarbage, corrupt }
}
