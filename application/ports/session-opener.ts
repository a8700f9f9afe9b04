import type * as TE from 'fp-ts/TaskEither'
import type { Sha256Hex } from '../../domain/ids'
import type { Unavailable } from '../errors'
import type { Session } from './session-store'

/** `refused`: the account was deleted or disabled; nothing was written. */
export type OpenOutcome = 'opened' | 'refused'

/**
 * Opens the session a login proved and appends its `login` audit event (at `session.createdAt`, with the
 * session's device), checking first that the account still exists and is not disabled. Where sessions and the
 * audit trail share a database this is one transaction (both or neither, and one commit instead of three);
 * the session then behaves exactly as one made by SessionStore.create.
 * Implementations: adapters/persistence/knex/knex-session-opener.ts (sessions in PostgreSQL, STORE=redis);
 * adapters/composition/session-opener-over-ports.ts (the three ports one after the other: STORE=memory, where
 * sessions live in process memory, and the twin the knex one is held to).
 * Contract: test/contracts/session-opener.contract.ts. Lazy; never rejects.
 */
export type SessionOpener = {
  readonly open: (
    session: Session,
    refreshDigest: Sha256Hex,
    requestId: string,
  ) => TE.TaskEither<Unavailable, OpenOutcome>
}
