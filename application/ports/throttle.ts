import type * as T from 'fp-ts/Task'

/** Waits between batches of background work, so it never hogs the database. Adapters use a real timer. */
export type Throttle = { readonly wait: (ms: number) => T.Task<void> }
