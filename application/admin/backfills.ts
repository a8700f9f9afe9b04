/**
 * Background backfills: run one in throttled batches until it is done or paused (by anyone, from any
 * process: the pause is persisted and checked between batches), pause it, resume it, list them.
 */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { Unavailable } from '../errors'
import type { BackfillJob } from '../ports/backfill-jobs'
import type { AdminPorts } from './ports'

export type BackfillNotFound = Readonly<{ _tag: 'BackfillNotFound'; name: string }>
export type BackfillPaused = Readonly<{ _tag: 'BackfillPaused'; name: string }>
export type BackfillError = BackfillNotFound | Unavailable

export type BackfillProgress = Readonly<{ job: BackfillJob; total: number }>
export type BackfillRunOptions = Readonly<{
  /** Rows per batch (default 1,000). */
  batchSize?: number
  /** Pause between batches, in ms (default 50). */
  throttleMs?: number
  /** Called after every batch. */
  onProgress?: (progress: BackfillProgress) => void
}>

export const defaultBackfillBatchSize = 1000
export const defaultBackfillThrottleMs = 50

type Deps = Pick<AdminPorts, 'backfills' | 'throttle'>

const existing = (deps: Deps, name: string): TE.TaskEither<BackfillError, BackfillJob> =>
  pipe(
    deps.backfills.find(name),
    TE.flatMap(TE.fromOption((): BackfillError => ({ _tag: 'BackfillNotFound', name }))),
  )

const someJob = (name: string) => TE.fromOption((): BackfillError => ({ _tag: 'BackfillNotFound', name }))

const loop =
  (deps: Deps, name: string, batchSize: number, throttleMs: number, report: (job: BackfillJob) => void) =>
  (job: BackfillJob): TE.TaskEither<BackfillError, BackfillJob> =>
    job.state !== 'pending'
      ? TE.right(job)
      : pipe(
          deps.backfills.step(name, batchSize),
          TE.flatMap(someJob(name)),
          TE.tap((next) => TE.fromIO(() => report(next))),
          TE.tap((next) =>
            next.state === 'pending'
              ? TE.fromTask<void, never>(deps.throttle.wait(throttleMs))
              : TE.right(undefined),
          ),
          TE.flatMap(loop(deps, name, batchSize, throttleMs, report)),
        )

/** Runs until done (Right), or stops at a pause (Left BackfillPaused, progress kept). Rerunning is safe. */
export type RunBackfill = (
  name: string,
  options?: BackfillRunOptions,
) => TE.TaskEither<BackfillError | BackfillPaused, BackfillJob>
export const runBackfill =
  (deps: Deps): RunBackfill =>
  (name, options = {}) =>
    pipe(
      existing(deps, name),
      TE.flatMap((job) =>
        pipe(
          deps.backfills.size(name),
          TE.map((total) => ({ job, total })),
        ),
      ),
      TE.flatMap(({ job, total }) =>
        loop(
          deps,
          name,
          options.batchSize ?? defaultBackfillBatchSize,
          options.throttleMs ?? defaultBackfillThrottleMs,
          (next) => options.onProgress?.({ job: next, total }),
        )(job),
      ),
      TE.flatMap((job): TE.TaskEither<BackfillError | BackfillPaused, BackfillJob> =>
        job.state === 'paused' ? TE.left({ _tag: 'BackfillPaused', name }) : TE.right(job),
      ),
    )

export type PauseBackfill = (name: string, paused: boolean) => TE.TaskEither<BackfillError, BackfillJob>
export const pauseBackfill =
  (deps: Deps): PauseBackfill =>
  (name, paused) =>
    pipe(deps.backfills.setPaused(name, paused), TE.flatMap(someJob(name)))

export type ListBackfills = () => TE.TaskEither<Unavailable, ReadonlyArray<BackfillJob>>
export const listBackfills =
  (deps: Deps): ListBackfills =>
  () =>
    deps.backfills.list()
