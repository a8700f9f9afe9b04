/** Knows how to ask Redis whether it can serve: the `cache` check of /api/health. */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { RedisClient } from './create-redis'
import type { ReadinessProbe } from '../../../application/ports/readiness-probe'
import { command, redisUnavailable } from './redis-values'

export const redisReadinessProbe = (redis: RedisClient): ReadinessProbe => ({
  name: 'cache',
  check: () =>
    pipe(
      command(() => redis.ping()),
      TE.filterOrElse(
        (reply) => reply === 'PONG',
        () => redisUnavailable(new Error('unexpected PING reply')),
      ),
      TE.map(() => undefined),
    ),
})
