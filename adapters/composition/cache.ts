/**
 * Knows how to open the store STORE names before wiring: nothing for `memory`; for `redis`, one connection
 * that must answer within a bounded time, so a wrong REDIS_URL stops the start with one clear line.
 * SECURITY: REDIS_URL may carry a password; only its host and port are ever shown.
 */
import { readFileSync } from 'node:fs'
import type { Logger } from 'pino'
import { createRedisClient, type RedisClient, redisReady } from '../cache/redis/create-redis'
import type { StoreChoice } from './bind-stores'
import type { Config } from './config'
import { StartupError } from './startup-error'

const readyWithinMs = 10_000

const hostOf = (url: string): string => {
  const { hostname, port } = new URL(url)
  return `${hostname}:${port || '6379'}`
}

/** Ready, or the first connection error (refused, unknown host, bad password), whichever comes first. */
const answering = (redis: RedisClient): Promise<void> =>
  new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e)
    redis.once('error', onError)
    redisReady(redis, readyWithinMs).then(
      () => {
        redis.off('error', onError)
        resolve()
      },
      (e: unknown) => {
        redis.off('error', onError)
        reject(e instanceof Error ? e : new Error(String(e)))
      },
    )
  })

const readCa = (file: string | null): string | undefined => {
  if (file === null) return undefined
  try {
    return readFileSync(file, 'utf8')
  } catch (e) {
    throw new StartupError(
      `REDIS_TLS_CA_FILE cannot be read: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
    )
  }
}

export type OpenStore = Readonly<{ choice: StoreChoice; close: () => Promise<void> }>

export const openStore = async (config: Config, logger: Pick<Logger, 'warn'>): Promise<OpenStore> => {
  if (config.store === 'memory') return { choice: { kind: 'memory' }, close: () => Promise.resolve() }
  if (config.redisUrl === null) throw new StartupError('REDIS_URL is required when STORE=redis')
  const where = hostOf(config.redisUrl)
  const tlsCa = readCa(config.redisTlsCaFile)
  const redis = createRedisClient({
    url: config.redisUrl,
    cluster: config.redisCluster,
    ...(tlsCa === undefined ? {} : { tlsCa }),
    connectTimeoutMs: 5_000,
    commandTimeoutMs: 2_000,
    onError: (e) =>
      logger.warn({ redis: where, code: (e as NodeJS.ErrnoException).code }, 'Redis connection error'),
  })
  try {
    await answering(redis)
  } catch (e) {
    redis.disconnect()
    const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message
    throw new StartupError(`Redis at ${where} (REDIS_URL) does not answer: ${reason}`)
  }
  return {
    choice: { kind: 'redis', redis },
    close: () =>
      redis.quit().then(
        () => undefined,
        () => redis.disconnect(),
      ),
  }
}
