/**
 * Knows how to keep the account's packs and object index in PostgreSQL (zkeb.snapshot_packs and
 * zkeb.snapshot_objects, row-level security per account). Ids go in as bytea arrays (unnest), so a pack of
 * 65,536 objects or a `has` of 5,000 ids is one statement.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { Knex } from 'knex'
import type { SnapshotObjectIndex } from '../../../application/ports/snapshot-object-index'
import type { AccountId } from '../../../domain/ids'
import type { ObjectId, PackEntry, SnapshotPack } from '../../../domain/snapshot'
import { packExists } from '../../../domain/snapshot-errors'
import { REF_BYTES, refCountOf } from '../../../domain/snapshot-refs'
import type { AccountAccess } from './account-access'
import { isUniqueViolation } from './pg-errors'
import { decodeAll, decodeFirst } from './row-codecs'
import { snapshotCollectorIn } from './knex-snapshot-collector'
import { decodeLocation, decodeObjectId, decodePack, idBytes, packRow } from './snapshot-rows'

type Rows = { rows: ReadonlyArray<unknown> }

/** A duplicate of an id the account holds keeps its first location (DO NOTHING). */
const indexSql = `
  insert into zkeb.snapshot_objects (account_id, object_id, pack_id, offset_bytes, length_bytes, claimed_at)
  select ?, e.object_id, ?, e.offset_bytes, e.length_bytes, ?
  from unnest(?::bytea[], ?::bigint[], ?::bigint[]) as e(object_id, offset_bytes, length_bytes)
  on conflict (account_id, object_id) do nothing
  returning length_bytes`

/** Claims the ids the pack repeats, which keep their first location. */
const claimSql = `
  update zkeb.snapshot_objects set claimed_at = ?
  where account_id = ? and object_id = any(?::bytea[]) and claimed_at < ?
  returning object_id`

const insertPack = async (
  trx: Knex.Transaction,
  pack: SnapshotPack,
  entries: ReadonlyArray<PackEntry>,
  at: Date,
) => {
  await trx('zkeb.snapshot_packs').insert(packRow(pack))
  const ids = entries.map((e) => idBytes(e.objectId))
  const added = await trx.raw<{ rows: Array<{ length_bytes: number }> }>(indexSql, [
    pack.accountId,
    idBytes(pack.packId),
    at,
    ids,
    entries.map((e) => e.offset),
    entries.map((e) => e.length),
  ])
  await trx.raw(claimSql, [at, pack.accountId, ids, at])
  return {
    newObjects: added.rows.length,
    newBytes: added.rows.reduce((n, r) => n + Number(r.length_bytes), 0),
  }
}

/** Refs are checked this many at a time: one statement stays small whatever the snapshot's size. */
const refBatch = 50_000

const missingSql = `
  select r.object_id from unnest(?::bytea[]) as r(object_id)
  where not exists (
    select from zkeb.snapshot_objects o where o.account_id = ? and o.object_id = r.object_id
  )`

const missingIn = async (trx: Knex.Transaction, accountId: AccountId, refs: Uint8Array, limit: number) => {
  const ids: ObjectId[] = []
  let count = 0
  for (let from = 0; from < refCountOf(refs); from += refBatch) {
    const batch = refs.subarray(from * REF_BYTES, Math.min(refCountOf(refs), from + refBatch) * REF_BYTES)
    const chunk = Array.from({ length: refCountOf(batch) }, (_, i) =>
      Buffer.from(batch.subarray(i * REF_BYTES, (i + 1) * REF_BYTES)),
    )
    const { rows } = await trx.raw<Rows>(missingSql, [chunk, accountId])
    const found = decodeAll(decodeObjectId)(rows)
    if (E.isLeft(found)) throw found.left.cause
    count += found.right.length
    ids.push(...[...found.right].sort().slice(0, Math.max(0, limit - ids.length)))
  }
  return { ids, count }
}

const statsSql = `
  select
    (select count(*) from zkeb.snapshot_objects where account_id = ?) as objects,
    (select coalesce(sum(length_bytes), 0)::bigint from zkeb.snapshot_objects where account_id = ?) as stored_bytes,
    (select count(*) from zkeb.snapshot_packs where account_id = ?) as packs,
    (select coalesce(sum(size_bytes), 0)::bigint from zkeb.snapshot_packs where account_id = ?) as pack_bytes`

/** Over either way of reaching PostgreSQL (account-access.ts); the UnitOfWork hands it out. */
export const snapshotObjectsIn = (access: AccountAccess): SnapshotObjectIndex => ({
  findPack: (accountId, packId) =>
    pipe(
      access.run(accountId, (trx) =>
        trx('zkeb.snapshot_packs')
          .where({ account_id: accountId, pack_id: idBytes(packId) })
          .select('*'),
      ),
      TE.flatMapEither(decodeFirst(decodePack)),
    ),
  /** A race lost on the primary key (a concurrent upload of the same pack id) is PackExists. */
  insertPack: (pack, entries, claimedAt) =>
    pipe(
      access.run(pack.accountId, (trx) => insertPack(trx, pack, entries, claimedAt)),
      TE.mapError((f) => (isUniqueViolation('snapshot_packs_pkey')(f) ? packExists(pack.packId) : f)),
    ),
  claim: (accountId, ids, at) =>
    pipe(
      access.run(accountId, (trx) =>
        trx.raw<Rows>(
          'update zkeb.snapshot_objects set claimed_at = ? where account_id = ? and object_id = any(?::bytea[]) returning object_id',
          [at, accountId, ids.map(idBytes)],
        ),
      ),
      TE.flatMapEither(({ rows }) => decodeAll(decodeObjectId)(rows)),
      TE.map((present) => {
        const held = new Set(present)
        return ids.filter((id) => held.has(id))
      }),
    ),
  locate: (accountId, ids) =>
    pipe(
      access.run(accountId, (trx) =>
        trx.raw<Rows>(
          `select o.object_id, p.blob_id, o.offset_bytes, o.length_bytes
           from zkeb.snapshot_objects o
           join zkeb.snapshot_packs p on p.account_id = o.account_id and p.pack_id = o.pack_id
           where o.account_id = ? and o.object_id = any(?::bytea[])`,
          [accountId, ids.map(idBytes)],
        ),
      ),
      TE.flatMapEither(({ rows }) => decodeAll(decodeLocation)(rows)),
    ),
  missing: (accountId, refs, limit) => access.run(accountId, (trx) => missingIn(trx, accountId, refs, limit)),
  stats: (accountId) =>
    pipe(
      access.run(accountId, (trx) =>
        trx.raw<{ rows: Array<Record<string, number>> }>(statsSql, [
          accountId,
          accountId,
          accountId,
          accountId,
        ]),
      ),
      TE.map(({ rows: [row] }) => ({
        storedBytes: Number(row?.stored_bytes ?? 0),
        objects: Number(row?.objects ?? 0),
        packs: Number(row?.packs ?? 0),
        packBytes: Number(row?.pack_bytes ?? 0),
      })),
    ),
  ...snapshotCollectorIn(access),
})
