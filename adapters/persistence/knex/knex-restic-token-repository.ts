/** Knows how to keep restic access tokens in PostgreSQL (table zkeb.restic_tokens, row-level security). */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import * as t from 'io-ts'
import type { Knex } from 'knex'
import type { ResticTokenRepository } from '../../../application/ports/restic-token-repository'
import { AccountId, DeviceId, SessionId, Sha256Hex } from '../../../domain/ids'
import { type ResticGrant, ResticRepoName, type ResticToken, ResticTokenId } from '../../../domain/restic'
import { query } from '../pg-session'
import { type AccountAccess, ownTransactions } from './account-access'
import { decodeAll, decodeWith, PgDate } from './row-codecs'

const grantRow = {
  token_id: ResticTokenId,
  account_id: AccountId,
  device_id: t.union([DeviceId, t.null]),
  append_only: t.boolean,
  repo: t.union([ResticRepoName, t.null]),
}

const decodeGrant = decodeWith(t.type(grantRow), (r): ResticGrant => ({
  tokenId: r.token_id,
  accountId: r.account_id,
  deviceId: r.device_id,
  appendOnly: r.append_only,
  repo: r.repo,
}))

const decodeToken = decodeWith(
  t.type({
    ...grantRow,
    session_id: t.union([SessionId, t.null]),
    secret_sha256: Sha256Hex,
    created_at: PgDate,
  }),
  (r): ResticToken => ({
    tokenId: r.token_id,
    accountId: r.account_id,
    deviceId: r.device_id,
    sessionId: r.session_id,
    appendOnly: r.append_only,
    repo: r.repo,
    secretSha256: r.secret_sha256,
    createdAt: r.created_at,
  }),
)

/** The account's own tokens, over either way of reaching PostgreSQL (account-access.ts). */
export const resticTokensIn = (access: AccountAccess): Omit<ResticTokenRepository, 'findGrant'> => ({
  create: (token) =>
    pipe(
      access.run(token.accountId, (trx) =>
        trx('zkeb.restic_tokens').insert({
          token_id: token.tokenId,
          account_id: token.accountId,
          device_id: token.deviceId,
          session_id: token.sessionId,
          append_only: token.appendOnly,
          repo: token.repo,
          secret_sha256: token.secretSha256,
          created_at: token.createdAt,
        }),
      ),
      TE.asUnit,
    ),
  list: (accountId) =>
    pipe(
      access.run(accountId, (trx) =>
        trx('zkeb.restic_tokens')
          .where({ account_id: accountId })
          .orderBy(['created_at', 'token_id'])
          .select('*'),
      ),
      TE.flatMapEither(decodeAll(decodeToken)),
    ),
  revoke: (accountId, tokenId) =>
    pipe(
      access.run(accountId, (trx) =>
        trx('zkeb.restic_tokens').where({ account_id: accountId, token_id: tokenId }).delete(),
      ),
      TE.map((deleted) => deleted > 0),
    ),
  // A token without a session (made before sessions were recorded) is never the caller's: it goes too.
  revokeAccount: (accountId, keep) =>
    access.run(accountId, (trx) => {
      const tokens = trx('zkeb.restic_tokens').where({ account_id: accountId })
      if (keep !== undefined)
        tokens.andWhere((q) => void q.whereNull('session_id').orWhereNot('session_id', keep))
      return tokens.delete()
    }),
})

export const knexResticTokenRepository = (knex: Knex): ResticTokenRepository => ({
  ...resticTokensIn(ownTransactions(knex)),
  /** Before any account is known: through the SECURITY DEFINER function, which returns the grant only. */
  findGrant: (username, secretSha256) =>
    pipe(
      query(() =>
        knex.raw<{ rows: unknown[] }>('select * from zkeb.restic_grant(?, ?)', [username, secretSha256]),
      ),
      TE.flatMapEither(({ rows }) =>
        rows[0] === undefined ? E.right(O.none) : pipe(decodeGrant(rows[0]), E.map(O.some)),
      ),
    ),
})
