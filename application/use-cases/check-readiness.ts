import type * as T from 'fp-ts/Task'
import type { Ports } from '../ports'

export type Readiness = Readonly<{ ready: boolean; checks: Readonly<Record<string, 'ok' | 'failing'>> }>
/** Runs every readiness probe concurrently; ready only when all answer. */
export type CheckReadiness = () => T.Task<Readiness>
export type CheckReadinessDeps = Pick<Ports, 'probes'>
