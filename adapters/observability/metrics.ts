/**
 * The metrics port of the adapters: the figures of the seed dashboard, named once, recorded by the HTTP,
 * persistence and cache adapters and exported by prometheus-metrics.ts and statsd-metrics.ts.
 * An adapter concern only: the application records nothing (use cases return data; the edges measure).
 * SECURITY: labels are bounded, non-secret values (route templates, methods, status classes, error codes,
 * command names); never ids, paths with ids, usernames or anything from a body.
 */

/** One finished HTTP request, as the access log saw it. */
export type ObservedRequest = Readonly<{
  /** The router's template (`/api/v1/backups/:backupId`), `unmatched` when no route matched. */
  route: string
  method: string
  status: number
  durationSeconds: number
  bytesIn: number
  bytesOut: number
  /** api-v1's error code (`invalid-input`), when the answer is an error. */
  errorCode?: string
}>

export type PoolSample = Readonly<{ active: number; idle: number; waiting: number; max: number }>

/** Totals across accounts (never one account's figures). */
export type StorageSample = Readonly<{
  accounts: number
  quotaBytes: number
  usedBytes: number
  /** Accounts using 90% or more of their quota. */
  accountsNearQuota: number
  trashBackups: number
  trashBytes: number
  /** Trashed backups past retention that the purge has not erased yet. */
  purgeBacklogBackups: number
  /** Blobs no backup refers to (an interrupted upload or purge): garbage to collect. */
  orphanBlobs: number
  orphanBlobBytes: number
}>

/** CPU, memory and event-loop lag of this process over the last interval. */
export type ProcessSample = Readonly<{
  cpuRatio: number
  residentBytes: number
  heapUsedBytes: number
  eventLoopLagP99Seconds: number
}>

export type LoginOutcome = 'success' | 'failure'

export type Metrics = Readonly<{
  request: (r: ObservedRequest) => void
  login: (outcome: LoginOutcome) => void
  rateLimited: (route: string) => void
  dbQuery: (durationSeconds: number, ok: boolean) => void
  dbPool: (sample: PoolSample) => void
  redisCommand: (command: string, durationSeconds: number, ok: boolean) => void
  /** A read of the session, login-state or rate-limit cache: did the key exist? */
  cacheLookup: (hit: boolean) => void
  storage: (sample: StorageSample) => void
  /** Prometheus reads these itself (prom-client defaults); StatsD is sent them periodically. */
  process: (sample: ProcessSample) => void
}>

export const noMetrics: Metrics = {
  request: () => undefined,
  login: () => undefined,
  rateLimited: () => undefined,
  dbQuery: () => undefined,
  dbPool: () => undefined,
  redisCommand: () => undefined,
  cacheLookup: () => undefined,
  storage: () => undefined,
  process: () => undefined,
}

/** Records every figure in each of `exporters` (Prometheus, StatsD, or both). */
export const fanOutMetrics = (exporters: ReadonlyArray<Metrics>): Metrics => {
  if (exporters.length === 1 && exporters[0] !== undefined) return exporters[0]
  const each =
    <K extends keyof Metrics>(key: K) =>
    (...args: Parameters<Metrics[K]>): void => {
      for (const exporter of exporters) (exporter[key] as (...a: Parameters<Metrics[K]>) => void)(...args)
    }
  return {
    request: each('request'),
    login: each('login'),
    rateLimited: each('rateLimited'),
    dbQuery: each('dbQuery'),
    dbPool: each('dbPool'),
    redisCommand: each('redisCommand'),
    cacheLookup: each('cacheLookup'),
    storage: each('storage'),
    process: each('process'),
  }
}

/** `2xx`…`5xx`: the error-rate class of a status. */
export const statusClass = (status: number): string => `${Math.floor(status / 100)}xx`
