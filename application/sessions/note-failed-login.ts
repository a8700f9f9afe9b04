import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import { type InvalidCredentials, invalidCredentials } from '../../domain/errors'
import type { AccountId } from '../../domain/ids'
import type { RequestContext } from '../context'
import type { Ports } from '../ports/index'

export type NoteFailedLoginDeps = Pick<Ports, 'audit' | 'clock' | 'settings' | 'limiter' | 'background'>

/**
 * A failed login of `accountId`, refused at once. Its `login-failed` event is an unauthenticated write to
 * someone's trail, so it is handed to the Background: written after the answer (its cost must not tell a
 * registered username from an unknown one, which writes nothing), and only if no failure of the account was
 * recorded in the last `failedLoginEventSeconds` (the limiter, shared by instances, is the memory of that:
 * anyone can fail logins in a victim's name, and they must not flood the trail). The event is the first
 * failure of its window. A limiter that cannot answer records it anyway: an extra event beats a missing one.
 */
export const noteFailedLogin =
  (deps: NoteFailedLoginDeps) =>
  (accountId: AccountId | null, ctx: RequestContext): TE.TaskEither<InvalidCredentials, never> => {
    // An unknown username hands over a piece too, with nothing in it: both answers leave alike.
    if (accountId === null)
      return pipe(
        TE.fromIO(deps.background.run(TE.right(undefined))),
        TE.flatMap(() => TE.left(invalidCredentials)),
      )
    const rule = {
      name: 'login-failed-event',
      points: 1,
      windowSeconds: deps.settings.failedLoginEventSeconds,
    }
    const record = (at: Date) =>
      pipe(
        deps.limiter.consume(rule, `account:${accountId}`),
        TE.orElseW((e) => (e._tag === 'RateLimited' ? TE.left(e) : TE.right(undefined))),
        TE.flatMap(() =>
          deps.audit.append(
            { accountId, type: 'login-failed', deviceId: null, requestId: ctx.requestId },
            at,
          ),
        ),
      )
    // The event carries the time of the failure, not of its (later) write.
    return pipe(
      TE.fromIO(() => deps.background.run(record(deps.clock.now()))()),
      TE.flatMap(() => TE.left(invalidCredentials)),
    )
  }
