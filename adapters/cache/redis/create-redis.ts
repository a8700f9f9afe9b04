/**
 * Knows how to open the one Redis connection the cache adapters share, tuned so that an unreachable or
 * stalled Redis surfaces as Unavailable within a bounded time instead of queueing requests.
 */
import { Redis } from 'ioredis'

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
}>

export const defaultKeyPrefix = 'zkeb:'

/**
 * Connects at once and keeps reconnecting in the background. While disconnected, commands fail at once
 * (no offline queue) rather than pile up. A command cut off by a disconnect is never sent again: its outcome is
 * unknown, and a refresh rotation or a GETDEL must not run after its caller was told Unavailable. Such a
 * command fails after `commandTimeoutMs`, or after one reconnection attempt, whichever comes first.
 */
export const createRedis = (settings: RedisSettings): Redis => {
  const redis = new Redis(settings.url, {
    keyPrefix: settings.keyPrefix ?? defaultKeyPrefix,
    lazyConnect: false,
    connectTimeout: settings.connectTimeoutMs,
    commandTimeout: settings.commandTimeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
    ...(settings.url.startsWith('rediss://')
      ? { tls: settings.tlsCa === undefined ? {} : { ca: settings.tlsCa } }
      : {}),
  })
  redis.on('error', settings.onError ?? (() => undefined))
  return redis
}

/** Resolves once the connection is ready to serve; rejects after `timeoutMs` (it keeps trying in the background). */
export const redisReady = (redis: Redis, timeoutMs: number): Promise<void> =>
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
