/**
 * Knows how to measure the shared Redis connection: each command's latency by command name, and the cache
 * hit rate of the reads the stores make (GET, GETDEL, MGET: a value is a hit, nil a miss). It wraps this one
 * connection's `sendCommand`, so every adapter using it is measured without knowing. Never records keys or
 * values (keys name sessions and digests).
 */
import type { RedisClient } from './create-redis'
import type { Metrics } from '../../../application/ports/metrics'

type Command = Parameters<RedisClient['sendCommand']>[0]

const lookups = new Set(['get', 'getdel', 'mget'])

const countLookups = (name: string, reply: unknown, metrics: Pick<Metrics, 'cacheLookup'>): void => {
  if (!lookups.has(name)) return
  for (const value of Array.isArray(reply) ? reply : [reply]) metrics.cacheLookup(value !== null)
}

export const instrumentRedis = (
  redis: RedisClient,
  metrics: Pick<Metrics, 'redisCommand' | 'cacheLookup'>,
): void => {
  const send = redis.sendCommand.bind(redis)
  redis.sendCommand = (command: Command, ...rest: unknown[]): unknown => {
    const started = process.hrtime.bigint()
    const name = command.name.toLowerCase()
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9
    // The command's own promise settles once Redis answered (or the command failed); this branch only observes.
    command.promise.then(
      (reply: unknown) => {
        metrics.redisCommand(name, seconds(), true)
        countLookups(name, reply, metrics)
      },
      () => metrics.redisCommand(name, seconds(), false),
    )
    return (send as (...args: unknown[]) => unknown)(command, ...rest)
  }
}
