/**
 * Knows how to keep sessions and their refresh-token families durably in PostgreSQL (tables zkeb.sessions and
 * zkeb.refresh_digests, migration 20261220000000_durable_sessions), held to the in-memory twin by
 * test/contracts/session-store.contract.ts. Only digests of refresh tokens are stored.
 *
 * Creating and revoking by account or device run in the account's transaction (row-level security); the
 * per-request check, a revocation by session id and a rotation arrive before the account is known and go
 * through the migration's narrow SECURITY DEFINER functions. A rotation is one call of
 * zkeb.rotate_refresh_digest, which locks the session and the digest: of two concurrent rotations of one
 * digest, exactly one wins and the other is a reuse that deletes the family.
 *
 * Beyond the SessionStore port it is a DurableSessionStore (application/ports/durable-session-store.ts): it
 * tells a cache in front of it (adapters/cache/redis/cached-session-store.ts) which sessions a rotation or a
 * revocation ended, so the cache can forget exactly those.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import * as t from 'io-ts'
import type { Knex } from 'knex'
import type { Unavailable } from '../../../application/errors'
import type { DurableSessionStore, RotationOutcome } from '../../../application/ports/durable-session-store'
import type { Session, SessionStore } from '../../../application/ports/session-store'
import { invalidRefreshToken, refreshTokenReused } from '../../../domain/errors'
import type { InvalidRefreshToken, RefreshTokenReused } from '../../../domain/errors'
import { AccountId, DeviceId, SessionId, type Sha256Hex } from '../../../domain/ids'
import { decodeAll, decodeWith, PgDate } from './row-codecs'
import { query, withAccount } from '../pg-session'
import { type AccountAccess, ownTransactions } from './account-access'

type RotateError = Unavailable | InvalidRefreshToken | RefreshTokenReused

const sessionRow = {
  session_id: SessionId,
  account_id: AccountId,
  device_id: t.union([DeviceId, t.null]),
  created_at: PgDate,
  expires_at: PgDate,
}

type SessionRow = t.TypeOf<t.TypeC<typeof sessionRow>>

const toSession = (r: SessionRow): Session => ({
  sessionId: r.session_id,
  accountId: r.account_id,
  deviceId: r.device_id,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
})

const decodeSession = decodeWith(t.type(sessionRow), toSession)

const decodeOutcome = decodeWith(
  t.union([
    t.type({ outcome: t.literal('invalid') }),
    t.type({ outcome: t.union([t.literal('rotated'), t.literal('reused')]), ...sessionRow }),
  ]),
  (r): RotationOutcome =>
    r.outcome === 'invalid' ? { kind: 'invalid' } : { kind: r.outcome, session: toSession(r) },
)

const decodeEndedIds = decodeAll(decodeWith(t.type({ session_id: SessionId }), (r) => r.session_id))

/**
 * Writes a new session and its first refresh digest (scoped to the session's account), in one statement, and
 * forgets the account's sessions that have expired, so the table does not grow without end.
 * The digest's foreign key is checked at the end of the statement, when the session row exists.
 */
const insertSession = (trx: Knex.Transaction, session: Session, refreshDigest: Sha256Hex) =>
  trx.raw(
    `with expired as (
       delete from zkeb.sessions where account_id = ? and expires_at <= ?
     ), opened as (
       insert into zkeb.sessions (session_id, account_id, device_id, created_at, expires_at)
       values (?, ?, ?, ?, ?)
       returning session_id
     )
     insert into zkeb.refresh_digests (digest, session_id, account_id)
     select ?, session_id, ? from opened`,
    [
      session.accountId,
      session.createdAt,
      session.sessionId,
      session.accountId,
      session.deviceId,
      session.createdAt,
      session.expiresAt,
      refreshDigest,
      session.accountId,
    ],
  )

/**
 * Opening sessions over either way of reaching PostgreSQL (account-access.ts): inside a UnitOfWork, a login's
 * session is written in the same transaction as its `login` event.
 */
export const sessionsIn = (access: AccountAccess): Pick<SessionStore, 'create'> => ({
  create: (session, refreshDigest) =>
    pipe(
      access.run(session.accountId, (trx) => insertSession(trx, session, refreshDigest)),
      TE.asUnit,
    ),
})

export const knexSessionStore = (knex: Knex): DurableSessionStore => {
  const endWhere = (
    accountId: AccountId,
    narrow: (q: Knex.QueryBuilder) => Knex.QueryBuilder,
  ): TE.TaskEither<Unavailable, ReadonlyArray<SessionId>> =>
    pipe(
      withAccount(
        knex,
        accountId,
      )((trx) =>
        narrow(trx('zkeb.sessions').where({ account_id: accountId }))
          .delete()
          .returning<Array<unknown>>('session_id'),
      ),
      TE.flatMapEither(decodeEndedIds),
    )

  const exchange = (presented: Sha256Hex, next: Sha256Hex, now: Date) =>
    pipe(
      query(() =>
        knex.raw<{ rows: unknown[] }>('select * from zkeb.rotate_refresh_digest(?, ?, ?)', [
          presented,
          next,
          now,
        ]),
      ),
      TE.flatMapEither(({ rows }) => decodeOutcome(rows[0])),
    )

  const endSession = (sessionId: SessionId) =>
    pipe(
      query(() => knex.raw('select zkeb.revoke_session(?)', [sessionId])),
      TE.map((): ReadonlyArray<SessionId> => [sessionId]),
    )
  const endDeviceSessions = (accountId: AccountId, deviceId: DeviceId) =>
    endWhere(accountId, (q) => q.andWhere({ device_id: deviceId }))
  const endAccountSessions = (accountId: AccountId, keep?: SessionId) =>
    endWhere(accountId, (q) => (keep === undefined ? q : q.andWhereNot({ session_id: keep })))

  return {
    exchange,
    endSession,
    endDeviceSessions,
    endAccountSessions,
    ...sessionsIn(ownTransactions(knex)),
    findLive: (sessionId, now) =>
      pipe(
        query(() =>
          knex.raw<{ rows: unknown[] }>('select * from zkeb.find_live_session(?, ?)', [sessionId, now]),
        ),
        TE.flatMapEither(({ rows }) =>
          rows[0] === undefined ? E.right(O.none) : pipe(decodeSession(rows[0]), E.map(O.some)),
        ),
      ),
    rotate: (presented, next, now) =>
      pipe(
        exchange(presented, next, now),
        TE.flatMap((outcome): TE.TaskEither<RotateError, Session> => {
          switch (outcome.kind) {
            case 'rotated':
              return TE.right(outcome.session)
            case 'reused':
              return TE.left(refreshTokenReused)
            case 'invalid':
              return TE.left(invalidRefreshToken)
          }
        }),
      ),
    revoke: (sessionId) => pipe(endSession(sessionId), TE.asUnit),
    revokeDevice: (accountId, deviceId) => pipe(endDeviceSessions(accountId, deviceId), TE.asUnit),
    revokeAccount: (accountId, keep) => pipe(endAccountSessions(accountId, keep), TE.asUnit),
  }
}
