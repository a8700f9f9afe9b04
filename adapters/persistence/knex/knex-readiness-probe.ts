/** Knows how to ask PostgreSQL whether it can serve: the `database` check of /api/health. */
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import type { Knex } from 'knex'
import type { ReadinessProbe } from '../../../application/ports/readiness-probe'
import { query } from '../pg-session'

export const knexReadinessProbe = (knex: Knex): ReadinessProbe => ({
  name: 'database',
  check: () =>
    pipe(
      query(() => knex.raw('select 1')),
      TE.map(() => undefined),
    ),
})
