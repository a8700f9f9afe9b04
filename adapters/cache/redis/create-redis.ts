/**
 * Knows how to open the one Redis connection the cache adapters share, tuned so that an unreachable or
 * stalled Redis surfaces as Unavailable within a bounded time instead of queueing requests: a single server,
 * or a Redis Cluster found from one seed node (REDIS_CLUSTER=true).
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis'
import { defineRateLimitCommand } from './rate-charge-command'

/**
 * What the adapters that work on either accept. On Cluster every command, script or MULTI must touch keys of
 * one hash slot: the stores given a RedisClient touch one key per command (docs/operations.md).
 */
export type RedisClient = Redis | Cluster

export type RedisSettings = Readonly<{
  /** `redis://` or `rediss://` (TLS); may carry a password and a database number. */
  url: string
  /** Put before every key the adapters use (default `zkeb:`), so several apps can share one Redis. */
  keyPrefix?: string
  connectTimeoutMs: number
  /** A command without an answer after this long fails (a stalled server, a lost packet). */
  commandTimeoutMs: number
  /** For rediss://: the CA certificate(s) (PEM) to trust instead of the system's; the host name is checked. */
  tlsCa?: string
  /** Connection errors, for the operator's log; commands report failures on their own as Unavailable. */
  onError?: (error: Error) => void
  /** `url` names one node of a Redis Cluster; the others are found from it (CLUSTER SLOTS). */
  cluster?: boolean
}>

export const defaultKeyPrefix = 'zkeb:'

/**
 * Connects at once and keeps reconnecting in the background. While disconnected, commands fail at once
 * (no offline queue) rather than pile up. A command cut off by a disconnect is never sent again: its outcome is
 * unknown, and a refresh rotation or a GETDEL must not run after its caller was told Unavailable. Such a
 * command fails after `commandTimeoutMs`, or after one reconnection attempt, whichever comes first.
 */
const backoff = (attempt: number): number => Math.min(attempt * 100, 2000)

/**
 * The rate limiter's Lua command is defined on each connection as soon as it exists, before any command can be
 * pending. ioredis copies a connection's defined commands into a pipeline when the pipeline is made, so a
 * command defined later while an auto-pipeline of the same turn is pending is missing from that pipeline:
 * ioredis 6.0 then throws uncaught, ending the process (ioredis issue #1931, fixed upstream by PR #2180).
 * Defined from the start, every pipeline has it, so a rate-limit charge auto-pipelines with the other commands
 * of its turn (one write, not its own).
 */
const prepared = <C extends RedisClient>(client: C): C => {
  defineRateLimitCommand(client)
  return client
}

/** Per-connection options, the same for a single server and for each node of a cluster. */
const connectionOptions = (settings: RedisSettings): RedisOptions => ({
  // Commands issued in the same event-loop turn (by concurrent requests, or by one request's session check
  // and rate limit) go out in one write and come back in one read: fewer system calls per request.
  enableAutoPipelining: true,
  connectTimeout: settings.connectTimeoutMs,
  commandTimeout: settings.commandTimeoutMs,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  autoResendUnfulfilledCommands: false,
  retryStrategy: backoff,
  ...(settings.url.startsWith('rediss://')
    ? { tls: settings.tlsCa === undefined ? {} : { ca: settings.tlsCa } }
    : {}),
})

export const createRedis = (settings: RedisSettings): Redis => {
  const redis = new Redis(settings.url, {
    ...connectionOptions(settings),
    keyPrefix: settings.keyPrefix ?? defaultKeyPrefix,
    lazyConnect: false,
  })
  redis.on('error', settings.onError ?? (() => undefined))
  return prepared(redis)
}

/**
 * The cluster from its seed node, with the same bounds as createRedis: no offline queue, a command fails after
 * `commandTimeoutMs`. The URL's user and password apply to every node; its database number must be 0.
 */
export const createRedisCluster = (settings: RedisSettings): Cluster => {
  const url = new URL(settings.url)
  const cluster = new Cluster([{ host: url.hostname, port: Number(url.port || '6379') }], {
    keyPrefix: settings.keyPrefix ?? defaultKeyPrefix,
    lazyConnect: false,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    clusterRetryStrategy: backoff,
    redisOptions: {
      ...connectionOptions(settings),
      ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
      ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
    },
  })
  cluster.on('error', settings.onError ?? (() => undefined))
  return prepared(cluster)
}

/** A single server, or a cluster when `settings.cluster` says so. */
export const createRedisClient = (settings: RedisSettings): RedisClient =>
  settings.cluster === true ? createRedisCluster(settings) : createRedis(settings)

/** Resolves once the connection is ready to serve; rejects after `timeoutMs` (it keeps trying in the background). */
export const redisReady = (redis: RedisClient, timeoutMs: number): Promise<void> =>
  redis.status === 'ready'
    ? Promise.resolve()
    : new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          redis.off('ready', onReady)
          reject(new Error(`Redis not ready after ${timeoutMs} ms`))
        }, timeoutMs)
        const onReady = (): void => {
          clearTimeout(timer)
          resolve()
        }
        redis.once('ready', onReady)
      })
