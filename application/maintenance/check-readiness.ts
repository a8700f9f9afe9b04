import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as RA from 'fp-ts/ReadonlyArray'
import * as T from 'fp-ts/Task'
import type { Ports } from '../ports/index'
import type { ReadinessProbe } from '../ports/readiness-probe'

export type Readiness = Readonly<{ ready: boolean; checks: Readonly<Record<string, 'ok' | 'failing'>> }>
/** Runs every readiness probe concurrently; ready only when all answer. */
export type CheckReadiness = () => T.Task<Readiness>
export type CheckReadinessDeps = Pick<Ports, 'probes'>

const runProbe = (probe: ReadinessProbe): T.Task<readonly [string, 'ok' | 'failing']> =>
  pipe(
    probe.check(),
    T.map((result) => [probe.name, E.isRight(result) ? 'ok' : 'failing'] as const),
  )

export const checkReadiness =
  (deps: CheckReadinessDeps): CheckReadiness =>
  () =>
    pipe(
      deps.probes,
      RA.traverse(T.ApplicativePar)(runProbe),
      T.map((answers) => ({
        ready: answers.every(([, status]) => status === 'ok'),
        checks: Object.fromEntries(answers),
      })),
    )
