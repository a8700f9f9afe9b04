/** Knows which accounts hold snapshot packs, across accounts, through a SECURITY DEFINER function (ids only). */
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import * as t from 'io-ts'
import type { Knex } from 'knex'
import type { SnapshotAccounts } from '../../../application/ports/snapshot-accounts'
import { AccountId } from '../../../domain/ids'
import { query } from '../pg-session'
import { decodeAll, decodeWith } from './row-codecs'

const decodeAccountId = decodeWith(t.type({ account_id: AccountId }), (r) => r.account_id)

export const knexSnapshotAccounts = (knex: Knex): SnapshotAccounts => ({
  list: (after, limit) =>
    pipe(
      query(() =>
        knex.raw<{ rows: unknown[] }>('select * from zkeb.snapshot_accounts(?::uuid, ?)', [
          O.toNullable(after),
          limit,
        ]),
      ),
      TE.flatMapEither(({ rows }) => decodeAll(decodeAccountId)(rows)),
    ),
})
