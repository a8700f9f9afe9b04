/**
 * The in-memory twin of the backfill jobs: the same registered job walks the in-memory accounts in id order,
 * keeping the same progress record. There is no cached column to fill here, so a batch only advances.
 */
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { BackfillJob, BackfillJobs } from '../../application/ports/backfill-jobs'
import type { Clock } from '../../application/ports/clock'
import type { InMemoryDatabase } from './in-memory-database'

export const registeredBackfills = ['accounts-used-bytes'] as const

export const inMemoryBackfillJobs = (
  db: InMemoryDatabase,
  clock: Clock,
): BackfillJobs & { reset: () => void } => {
  const table = new Map<string, BackfillJob>()
  let seeded = false
  // Seeded on first use, not when wired: building the composition reads no clock.
  const reset = () => {
    seeded = true
    table.clear()
    for (const name of registeredBackfills)
      table.set(name, {
        name,
        state: 'pending',
        cursor: null,
        processed: 0,
        batches: 0,
        updatedAt: clock.now(),
        finishedAt: null,
      })
  }
  const jobs = (): Map<string, BackfillJob> => {
    if (!seeded) reset()
    return table
  }
  const found = (name: string) => O.fromNullable(jobs().get(name))
  const save = (job: BackfillJob) => (jobs().set(job.name, job), O.some(job))
  return {
    reset,
    list: () => TE.fromIO(() => [...jobs().values()].sort((a, b) => a.name.localeCompare(b.name))),
    find: (name) => TE.fromIO(() => found(name)),
    size: (name) => TE.fromIO(() => (jobs().has(name) ? db.accounts.size : 0)),
    step: (name, batchSize) =>
      TE.fromIO(() => {
        const job = jobs().get(name)
        if (job === undefined || job.state !== 'pending') return found(name)
        const batch = [...db.accounts.keys()]
          .filter((id) => job.cursor === null || id > job.cursor)
          .sort()
          .slice(0, batchSize)
        const short = batch.length < batchSize
        const now = clock.now()
        return save({
          ...job,
          cursor: batch.at(-1) ?? job.cursor,
          processed: job.processed + batch.length,
          batches: job.batches + 1,
          state: short ? 'done' : 'pending',
          finishedAt: short ? now : null,
          updatedAt: now,
        })
      }),
    setPaused: (name, paused) =>
      TE.fromIO(() => {
        const job = jobs().get(name)
        if (job === undefined || job.state !== (paused ? 'pending' : 'paused')) return found(name)
        return save({ ...job, state: paused ? 'paused' : 'pending', updatedAt: clock.now() })
      }),
  }
}
