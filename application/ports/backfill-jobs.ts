import type * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { Unavailable } from '../errors'

export type BackfillState = 'pending' | 'paused' | 'done'

/** A background backfill's persisted progress. `cursor` is opaque: where the next batch starts. */
export type BackfillJob = Readonly<{
  name: string
  state: BackfillState
  cursor: string | null
  /** Rows walked so far (counted or already correct). */
  processed: number
  batches: number
  updatedAt: Date
  finishedAt: Date | null
}>

/**
 * Backfills registered by expand migrations: each walks its table in keyset order, one batch per `step`, and
 * persists its cursor in the same transaction. A batch only writes rows still unfilled, so a batch replayed
 * after a crash changes nothing. Implementations: adapters/persistence/knex (zkeb.backfill_jobs and
 * SECURITY DEFINER batch functions), adapters/in-memory. Contract: test/contracts/backfill-jobs.contract.ts.
 * Lazy; never rejects: failures arrive as Left.
 */
export type BackfillJobs = {
  readonly list: () => TE.TaskEither<Unavailable, ReadonlyArray<BackfillJob>>
  readonly find: (name: string) => TE.TaskEither<Unavailable, O.Option<BackfillJob>>
  /** Rows the job walks in all (for progress; may grow while it runs). */
  readonly size: (name: string) => TE.TaskEither<Unavailable, number>
  /**
   * Runs one batch of at most `batchSize` rows if the job is pending, then stores its progress (`done` after
   * a short batch). A paused or done job is returned unchanged. Two runners never run the same batch at once.
   */
  readonly step: (name: string, batchSize: number) => TE.TaskEither<Unavailable, O.Option<BackfillJob>>
  /** Pauses a pending job or un-pauses a paused one; a done job stays done. */
  readonly setPaused: (name: string, paused: boolean) => TE.TaskEither<Unavailable, O.Option<BackfillJob>>
}
