/**
 * The metrics port: the figures of the seed dashboard, named once. The HTTP, persistence and cache adapters
 * record them; adapters/observability exports them (Prometheus, StatsD). No use case records anything (use cases
 * return data; the edges measure); the port sits here so those adapters share it without knowing each other.
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
