/**
 * Turns a use case's Left into the operator's one line and exit code (docs/operations.md, "Admin CLI"). The
 * line names what is wrong, never a stored value or a cause.
 */
import * as E from 'fp-ts/Either'
import type * as TE from 'fp-ts/TaskEither'
import { AdminError, ExitCode } from './output'

type Failure = Readonly<{ _tag: string; name?: string; dependency?: string }>

const failureOf = (f: Failure): AdminError => {
  switch (f._tag) {
    case 'AccountNotFound':
      return new AdminError(ExitCode.notFound, 'no such account')
    case 'BackfillNotFound':
      return new AdminError(ExitCode.notFound, `no backfill named ${f.name ?? ''}`)
    case 'BackfillPaused':
      return new AdminError(
        ExitCode.paused,
        `backfill ${f.name ?? ''} is paused; progress is kept (resume it)`,
      )
    case 'VersionMismatch':
      return new AdminError(ExitCode.conflict, 'the account changed meanwhile; run the command again')
    case 'Unavailable':
      return new AdminError(ExitCode.unavailable, `${f.dependency ?? 'a dependency'} is unavailable`)
    default:
      return new AdminError(ExitCode.unexpected, `failed: ${f._tag}`)
  }
}

/** Runs the task; its Right, or an AdminError with the failure's exit code. */
export const run = async <A>(task: TE.TaskEither<Failure, A>): Promise<A> => {
  const result = await task()
  if (E.isLeft(result)) throw failureOf(result.left)
  return result.right
}

export const usage = (text: string): never => {
  throw new AdminError(ExitCode.usage, `usage: ${text}`)
}
