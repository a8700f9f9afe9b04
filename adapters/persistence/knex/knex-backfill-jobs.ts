/**
 * Knows how to run background backfills in PostgreSQL: progress in zkeb.backfill_jobs (no account data, so no
 * RLS; zkeb_app may read and advance rows, not add them), each batch through the job's SECURITY DEFINER
 * function, in the same transaction as the progress it records. The job row is locked for the batch, so two
 * runners (two instances, or the server and zkeb-admin) take turns instead of racing.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import * as t from 'io-ts'
import type { Knex } from 'knex'
import type { Unavailable } from '../../../application/errors'
import type { BackfillJob, BackfillJobs } from '../../../application/ports/backfill-jobs'
import { decodeAll, decodeWith } from './row-codecs'
import { query } from '../pg-session'

/** Each job's batch function, `(after, limit) → (last id, scanned, filled)`, and its row count function. */
const batchFunctions: Readonly<Record<string, { batch: string; total: string }>> = {
  'accounts-used-bytes': {
    batch: 'zkeb.backfill_accounts_used_bytes(?::uuid, ?)',
    total: 'zkeb.backfill_accounts_used_bytes_total()',
  },
}

const PgDate = new t.Type<Date, Date, unknown>(
  'PgDate',
  (u): u is Date => u instanceof Date,
  (u, c) => (u instanceof Date ? t.success(u) : t.failure(u, c)),
  (d) => d,
)

const decodeJob = decodeWith(
  t.type({
    name: t.string,
    state: t.keyof({ pending: null, paused: null, done: null }),
    cursor: t.union([t.string, t.null]),
    processed: t.number,
    batches: t.number,
    updated_at: PgDate,
    finished_at: t.union([PgDate, t.null]),
  }),
  (r): BackfillJob => ({
    name: r.name,
    state: r.state,
    cursor: r.cursor,
    processed: r.processed,
    batches: r.batches,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
  }),
)

const optionalJob = (rows: ReadonlyArray<unknown>): E.Either<Unavailable, O.Option<BackfillJob>> =>
  rows[0] === undefined ? E.right(O.none) : pipe(decodeJob(rows[0]), E.map(O.some))

type BatchResult = { last_account_id: string | null; scanned: number; filled: number }

type JobRow = { state: string; cursor: string | null }

const runBatch = async (trx: Knex.Transaction, name: string, batchSize: number): Promise<unknown[]> => {
  const jobs = await trx('zkeb.backfill_jobs').where({ name }).forUpdate().select<JobRow[]>('*')
  const [job] = jobs
  const fn = batchFunctions[name]
  if (job === undefined || fn === undefined || job.state !== 'pending') return jobs
  const cursor = job.cursor
  const result = await trx.raw<{ rows: BatchResult[] }>(`select * from ${fn.batch}`, [cursor, batchSize])
  const batch = result.rows[0] ?? { last_account_id: null, scanned: 0, filled: 0 }
  return trx('zkeb.backfill_jobs')
    .where({ name })
    .update({
      cursor: batch.last_account_id ?? cursor,
      processed: trx.raw('processed + ?', [batch.scanned]),
      batches: trx.raw('batches + 1'),
      state: batch.scanned < batchSize ? 'done' : 'pending',
      finished_at: batch.scanned < batchSize ? trx.fn.now() : null,
      updated_at: trx.fn.now(),
    })
    .returning('*')
}

export const knexBackfillJobs = (knex: Knex): BackfillJobs => ({
  list: () =>
    pipe(
      query(() => knex('zkeb.backfill_jobs').orderBy('name').select('*')),
      TE.flatMapEither(decodeAll(decodeJob)),
    ),
  find: (name) =>
    pipe(
      query(() => knex('zkeb.backfill_jobs').where({ name }).select('*')),
      TE.flatMapEither(optionalJob),
    ),
  size: (name) =>
    pipe(
      query(async () => {
        const fn = batchFunctions[name]
        if (fn === undefined) return 0
        const result = await knex.raw<{ rows: Array<{ total: number }> }>(`select ${fn.total} as total`)
        return result.rows[0]?.total ?? 0
      }),
    ),
  step: (name, batchSize) =>
    pipe(
      query(() => knex.transaction((trx) => runBatch(trx, name, batchSize))),
      TE.flatMapEither(optionalJob),
    ),
  setPaused: (name, paused) =>
    pipe(
      query(() =>
        knex('zkeb.backfill_jobs')
          .where({ name, state: paused ? 'pending' : 'paused' })
          .update({ state: paused ? 'paused' : 'pending', updated_at: knex.fn.now() }),
      ),
      TE.flatMap(() => query(() => knex('zkeb.backfill_jobs').where({ name }).select('*'))),
      TE.flatMapEither(optionalJob),
    ),
})
