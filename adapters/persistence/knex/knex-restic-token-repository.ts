/** Knows how to keep restic access tokens in PostgreSQL (table zkeb.restic_tokens, row-level security). */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import * as t from 'io-ts'
import type { Knex } from 'knex'
import type { ResticTokenRepository } from '../../../application/ports/restic-token-repository'
import { AccountId, DeviceId, Sha256Hex } from '../../../domain/ids'
import { type ResticGrant, type ResticToken, ResticTokenId } from '../../../domain/restic'
import { decodeAll, decodeWith, PgDate } from './row-codecs'
import { query, withAccount } from '../pg-session'

const grantRow = {
  token_id: ResticTokenId,
  account_id: AccountId,
  device_id: t.union([DeviceId, t.null]),
  append_only: t.boolean,
}

const decodeGrant = decodeWith(t.type(grantRow), (r): ResticGrant => ({
  tokenId: r.token_id,
  accountId: r.account_id,
  deviceId: r.device_id,
  appendOnly: r.append_only,
}))

const decodeToken = decodeWith(
  t.type({ ...grantRow, secret_sha256: Sha256Hex, created_at: PgDate }),
  (r): ResticToken => ({
    tokenId: r.token_id,
    accountId: r.account_id,
    deviceId: r.device_id,
    appendOnly: r.append_only,
    secretSha256: r.secret_sha256,
    createdAt: r.created_at,
  }),
)

export const knexResticTokenRepository = (knex: Knex): ResticTokenRepository => ({
  create: (token) =>
    pipe(
      withAccount(
        knex,
        token.accountId,
      )((trx) =>
        trx('zkeb.restic_tokens').insert({
          token_id: token.tokenId,
          account_id: token.accountId,
          device_id: token.deviceId,
          append_only: token.appendOnly,
          secret_sha256: token.secretSha256,
          created_at: token.createdAt,
        }),
      ),
      TE.asUnit,
    ),
  list: (accountId) =>
    pipe(
      withAccount(
        knex,
        accountId,
      )((trx) =>
        trx('zkeb.restic_tokens')
          .where({ account_id: accountId })
          .orderBy(['created_at', 'token_id'])
          .select('*'),
      ),
      TE.flatMapEither(decodeAll(decodeToken)),
    ),
  revoke: (accountId, tokenId) =>
    pipe(
      withAccount(
        knex,
        accountId,
      )((trx) => trx('zkeb.restic_tokens').where({ account_id: accountId, token_id: tokenId }).delete()),
      TE.map((deleted) => deleted > 0),
    ),
  /** Before any account is known: through the SECURITY DEFINER function, which returns the grant only. */
  findGrant: (username, secretSha256) =>
    pipe(
      query(() =>
        knex.raw<{ rows: unknown[] }>('select * from zkeb.find_restic_grant(?, ?)', [username, secretSha256]),
      ),
      TE.flatMapEither(({ rows }) =>
        rows[0] === undefined ? E.right(O.none) : pipe(decodeGrant(rows[0]), E.map(O.some)),
      ),
    ),
})
