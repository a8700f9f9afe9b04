/**
 * Real Redis for adapter tests: a throwaway `redis-server` (no persistence, temp dir, free port) started once per
 * process and stopped when it exits; TEST_REDIS_URL names an existing server instead. Every client gets a random
 * key prefix, so runs never collide. Without the binary the Redis suites skip locally and fail under CI.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import { createRedis, redisReady } from '../../adapters/cache/redis/create-redis'

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      )
    })
  })

const binary = process.env.REDIS_SERVER_BIN ?? 'redis-server'

/** True when a Redis can be had: TEST_REDIS_URL is set or the binary runs. */
export const redisAvailable = (): boolean =>
  Boolean(process.env.TEST_REDIS_URL) || spawnSync(binary, ['--version']).status === 0

/** For a suite's `before`: skips locally without Redis, fails under CI (a real-adapter suite never skips there). */
export const requireRedis = (context: Mocha.Context): void => {
  if (redisAvailable()) return
  if (process.env.CI)
    throw new Error(`${binary} not found: the Redis adapter tests cannot run (CI never skips them)`)
  context.skip()
}

export type RedisServer = Readonly<{
  url: string
  /** The server process, for tests that make it stall (SIGSTOP) or die. */
  process: ChildProcess
  stop: () => void
}>

/** Starts a private `redis-server` on a free loopback port and waits until it answers. */
export const startRedisServer = async (): Promise<RedisServer> => {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'zkeb-test-redis-'))
  const child = spawn(
    binary,
    ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  )
  const stop = (): void => {
    process.off('exit', stop)
    child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
  process.on('exit', stop)
  const url = `redis://127.0.0.1:${port}`
  const probe = createRedis({ url, keyPrefix: '', connectTimeoutMs: 1000, commandTimeoutMs: 1000 })
  try {
    await redisReady(probe, 10_000)
  } catch (error) {
    stop()
    throw error
  } finally {
    probe.disconnect()
  }
  return { url, process: child, stop }
}

let shared: Promise<string> | undefined
/** The process-wide server's URL (started on first use). */
export const redisUrl = (): Promise<string> =>
  (shared ??= process.env.TEST_REDIS_URL
    ? Promise.resolve(process.env.TEST_REDIS_URL)
    : startRedisServer().then((server) => server.url))

export type TestRedis = Readonly<{ redis: Redis; keyPrefix: string; close: () => Promise<void> }>

/** A ready connection, configured as production's, whose keys live under a prefix of its own. */
export const redisForTest = async (
  settings: Partial<{ url: string; commandTimeoutMs: number }> = {},
): Promise<TestRedis> => {
  const keyPrefix = `zkeb-test-${randomBytes(6).toString('hex')}:`
  const redis = createRedis({
    url: settings.url ?? (await redisUrl()),
    keyPrefix,
    connectTimeoutMs: 1000,
    commandTimeoutMs: settings.commandTimeoutMs ?? 2000,
  })
  await redisReady(redis, 5000)
  return {
    redis,
    keyPrefix,
    close: async () => {
      if (redis.status === 'ready') await deleteAll(redis, keyPrefix)
      redis.disconnect()
    },
  }
}

/** Every key under `keyPrefix`, without the prefix (ioredis adds it back to each command). */
export const keysUnder = async (redis: Redis, keyPrefix: string): Promise<ReadonlyArray<string>> => {
  const keys: Array<string> = []
  let cursor = '0'
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500)
    keys.push(...batch.map((key) => key.slice(keyPrefix.length)))
    cursor = next
  } while (cursor !== '0')
  return keys
}

const deleteAll = async (redis: Redis, keyPrefix: string): Promise<void> => {
  const keys = await keysUnder(redis, keyPrefix)
  if (keys.length > 0) await redis.del(...keys)
}
