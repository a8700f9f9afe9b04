/**
 * Knows the snapshot collector's two deletions in PostgreSQL, each bounded by a limit so its transaction (and
 * the collector lock the use case holds) stays short. Both repeat their conditions on the row being deleted:
 * a `has` that claims an object while the delete runs wins (PostgreSQL re-checks a row changed meanwhile).
 * The foreign keys stand behind them: a referenced object, or a pack that still indexes one, cannot be deleted.
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { SnapshotObjectIndex } from '../../../application/ports/snapshot-object-index'
import type { AccountAccess } from './account-access'
import { decodeAll } from './row-codecs'
import { decodePack } from './snapshot-rows'

const collectObjectsSql = `
  delete from zkeb.snapshot_objects o
  where o.account_id = ? and o.claimed_at < ?
    and not exists (select from zkeb.snapshot_refs r where r.account_id = o.account_id and r.object_id = o.object_id)
    and o.object_id in (
      select c.object_id from zkeb.snapshot_objects c
      where c.account_id = ? and c.claimed_at < ?
        and not exists (
          select from zkeb.snapshot_refs r where r.account_id = c.account_id and r.object_id = c.object_id
        )
      limit ?
    )`

const removeEmptyPacksSql = `
  delete from zkeb.snapshot_packs p
  where p.account_id = ?
    and not exists (select from zkeb.snapshot_objects o where o.account_id = p.account_id and o.pack_id = p.pack_id)
    and p.pack_id in (
      select q.pack_id from zkeb.snapshot_packs q
      where q.account_id = ?
        and not exists (
          select from zkeb.snapshot_objects o where o.account_id = q.account_id and o.pack_id = q.pack_id
        )
      limit ?
    )
  returning *`

export const snapshotCollectorIn = (
  access: AccountAccess,
): Pick<SnapshotObjectIndex, 'collectObjects' | 'removeEmptyPacks'> => ({
  collectObjects: (accountId, cutoff, limit) =>
    pipe(
      access.run(accountId, (trx) =>
        trx.raw<{ rowCount: number | null }>(collectObjectsSql, [
          accountId,
          cutoff,
          accountId,
          cutoff,
          limit,
        ]),
      ),
      TE.map((result) => result.rowCount ?? 0),
    ),
  removeEmptyPacks: (accountId, limit) =>
    pipe(
      access.run(accountId, (trx) =>
        trx.raw<{ rows: ReadonlyArray<unknown> }>(removeEmptyPacksSql, [accountId, accountId, limit]),
      ),
      TE.flatMapEither(({ rows }) => decodeAll(decodePack)(rows)),
    ),
})
