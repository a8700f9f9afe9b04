/**
 * Knows how to measure the application pool: every query's time (knex's query events) and the pool's
 * active, idle and waiting counts (tarn's counters). Reports figures only, never SQL text or bindings.
 */
import type { Knex } from 'knex'
import type { Metrics, PoolSample } from '../../../application/ports/metrics'

type QueryEvent = Readonly<{ __knexQueryUid?: string }>

/** The counters of knex's pool (tarn); absent before the pool exists or after destroy. */
type TarnCounters = Readonly<{
  numUsed: () => number
  numFree: () => number
  numPendingAcquires: () => number
  numPendingCreates: () => number
  max: number
}>

/** Times each query from `query` to `query-response`/`query-error`. Returns a function that stops listening. */
export const measureQueries = (knex: Knex, metrics: Pick<Metrics, 'dbQuery'>): (() => void) => {
  const started = new Map<string, bigint>()
  const onQuery = (q: QueryEvent) => {
    if (q.__knexQueryUid !== undefined) started.set(q.__knexQueryUid, process.hrtime.bigint())
  }
  const finish = (ok: boolean) => (q: QueryEvent) => {
    const uid = q.__knexQueryUid
    const at = uid === undefined ? undefined : started.get(uid)
    if (uid === undefined || at === undefined) return
    started.delete(uid)
    metrics.dbQuery(Number(process.hrtime.bigint() - at) / 1e9, ok)
  }
  const onResponse = (_response: unknown, q: QueryEvent) => finish(true)(q)
  const onError = (_error: unknown, q: QueryEvent) => finish(false)(q)
  knex.on('query', onQuery).on('query-response', onResponse).on('query-error', onError)
  return () => {
    knex.off('query', onQuery).off('query-response', onResponse).off('query-error', onError)
  }
}

/** The pool's state now; waiting counts requests queued for a connection, including ones being opened. */
export const samplePool = (knex: Knex): PoolSample => {
  const pool = (knex.client as { pool?: TarnCounters | null }).pool
  if (pool === undefined || pool === null) return { active: 0, idle: 0, waiting: 0, max: 0 }
  return {
    active: pool.numUsed(),
    idle: pool.numFree(),
    waiting: pool.numPendingAcquires(),
    max: pool.max,
  }
}
