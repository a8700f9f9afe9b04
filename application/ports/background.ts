import type * as IO from 'fp-ts/IO'
import type * as TE from 'fp-ts/TaskEither'

/**
 * Work that must be done but must not hold up an answer, nor show in its timing (a failed login's audit event:
 * its write would tell a registered username from an unknown one). It starts once the current answer is on its
 * way, in this process. A bounded number of pieces wait at once; beyond that a new piece is dropped, as is the
 * outcome of each (a Left, or a throw): callers hand over only what they can afford to lose.
 * Implementation: adapters/in-memory/in-process-background.ts.
 */
export type Background = {
  /** Hands `work` over and returns at once; never fails. */
  readonly run: (work: TE.TaskEither<unknown, unknown>) => IO.IO<void>
  /** Resolves once every piece handed over so far has finished (a shutdown drains it; tests wait on it). */
  readonly settled: () => Promise<void>
}
