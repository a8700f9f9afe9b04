/**
 * Knows how to keep snapshot records and their refs in PostgreSQL (zkeb.snapshots, zkeb.snapshot_refs,
 * row-level security per account). Refs go in by batches of bytea arrays; a ref to an object the account does
 * not hold is refused by the foreign key (the use case checks first, to name the missing ones).
 */
import * as O from 'fp-ts/Option'
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { Knex } from 'knex'
import type { SnapshotQuery, SnapshotRepository } from '../../../application/ports/snapshot-repository'
import type { AccountId } from '../../../domain/ids'
import type { SnapshotRecord } from '../../../domain/snapshot'
import { snapshotExists } from '../../../domain/snapshot-errors'
import { REF_BYTES, refCountOf } from '../../../domain/snapshot-refs'
import type { AccountAccess } from './account-access'
import { isUniqueViolation } from './pg-errors'
import { decodeAll, decodeFirst } from './row-codecs'
import { decodeSnapshot, idBytes, snapshotRow } from './snapshot-rows'

const refBatch = 20_000

const insertRefs = async (trx: Knex.Transaction, record: SnapshotRecord, refs: Uint8Array) => {
  for (let from = 0; from < refCountOf(refs); from += refBatch) {
    const to = Math.min(refCountOf(refs), from + refBatch)
    const ids = Array.from({ length: to - from }, (_, i) =>
      Buffer.from(refs.subarray((from + i) * REF_BYTES, (from + i + 1) * REF_BYTES)),
    )
    await trx.raw(
      'insert into zkeb.snapshot_refs (account_id, snapshot_id, object_id) select ?, ?, unnest(?::bytea[])',
      [record.accountId, record.snapshotId, ids],
    )
  }
}

/** Newest first by (received_at, snapshot_id), after the cursor, optionally one series: keyset pagination. */
const listQuery = (trx: Knex.Transaction, accountId: AccountId, q: SnapshotQuery) => {
  const rows = trx('zkeb.snapshots').where({ account_id: accountId })
  if (O.isSome(q.seriesId)) rows.andWhere({ series_id: idBytes(q.seriesId.value) })
  if (O.isSome(q.cursor))
    rows.andWhereRaw('(received_at, snapshot_id) < (?, ?)', [q.cursor.value.at, q.cursor.value.id])
  return rows
    .orderBy([
      { column: 'received_at', order: 'desc' },
      { column: 'snapshot_id', order: 'desc' },
    ])
    .limit(q.limit + 1)
    .select('*')
}

/** Over either way of reaching PostgreSQL (account-access.ts); the UnitOfWork hands it out. */
export const snapshotsIn = (access: AccountAccess): SnapshotRepository => ({
  /** Transaction-scoped: released by COMMIT or ROLLBACK, never by hand. */
  lockCollector: (accountId) =>
    pipe(
      access.run(accountId, (trx) =>
        trx.raw("select pg_advisory_xact_lock(hashtextextended('zkeb/snapshot-collector/' || ?::text, 0))", [
          accountId,
        ]),
      ),
      TE.asUnit,
    ),
  find: (accountId, snapshotId) =>
    pipe(
      access.run(accountId, (trx) =>
        trx('zkeb.snapshots').where({ account_id: accountId, snapshot_id: snapshotId }).select('*'),
      ),
      TE.flatMapEither(decodeFirst(decodeSnapshot)),
    ),
  list: (accountId, q) =>
    pipe(
      access.run(accountId, (trx) => listQuery(trx, accountId, q)),
      TE.flatMapEither(decodeAll(decodeSnapshot)),
    ),
  /** A race lost on the primary key (a concurrent create of the same id) is SnapshotExists. */
  insert: (record, refs) =>
    pipe(
      access.run(record.accountId, async (trx) => {
        await trx('zkeb.snapshots').insert(snapshotRow(record))
        await insertRefs(trx, record, refs)
      }),
      TE.mapError((f) => (isUniqueViolation('snapshots_pkey')(f) ? snapshotExists(record.snapshotId) : f)),
    ),
  refs: (accountId, snapshotId, after, limit) =>
    pipe(
      access.run(accountId, (trx) => {
        const rows = trx('zkeb.snapshot_refs').where({ account_id: accountId, snapshot_id: snapshotId })
        if (O.isSome(after)) rows.andWhere('object_id', '>', idBytes(after.value))
        return rows.orderBy('object_id').limit(limit).pluck<Buffer[]>('object_id')
      }),
      TE.map((ids) => new Uint8Array(Buffer.concat(ids))),
    ),
  remove: (accountId, snapshotId) =>
    pipe(
      access.run(accountId, (trx) =>
        trx('zkeb.snapshots').where({ account_id: accountId, snapshot_id: snapshotId }).delete(),
      ),
      TE.map((deleted) => deleted > 0),
    ),
  count: (accountId) =>
    pipe(
      access.run(accountId, (trx) =>
        trx('zkeb.snapshots')
          .where({ account_id: accountId })
          .count<Array<{ count: number | string }>>('* as count'),
      ),
      TE.map(([row]) => Number(row?.count ?? 0)),
    ),
})
