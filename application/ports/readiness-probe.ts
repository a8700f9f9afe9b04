import type * as TE from 'fp-ts/TaskEither'
import type { Unavailable } from '../errors'

/** One dependency's answer to "can you serve right now?", named as in /api/health (database, cache, blobs). */
export type ReadinessProbe = Readonly<{ name: string; check: () => TE.TaskEither<Unavailable, void> }>
