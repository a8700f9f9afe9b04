/** Knows how to keep accounts in PostgreSQL (table zkeb.accounts, row-level security per account). */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { Knex } from 'knex'
import { unavailable, type Unavailable } from '../../../application/errors'
import type { AccountRepository } from '../../../application/ports/account-repository'
import type { AccountTransaction } from '../../../application/ports/unit-of-work'
import type { Account } from '../../../domain/account'
import { usernameTaken, type VersionMismatch, versionMismatch } from '../../../domain/errors'
import { query } from '../pg-session'
import { type AccountAccess, ownTransactions } from './account-access'
import { isUniqueViolation } from './pg-errors'
import { bytes, decodeAccount, decodeFirst } from './row-codecs'

/** The columns a save may change: never the id, the username or the creation time. */
const mutableColumns = (a: Account) => ({
  opaque_record: bytes(a.opaqueRecord),
  password_wrapped_umk: bytes(a.keyBundle.passwordWrappedUmk),
  recovery_wrapped_umk: bytes(a.keyBundle.recoveryWrappedUmk),
  key_bundle_version: a.keyBundleVersion,
  recovery_verifier: bytes(a.recoveryVerifier),
  quota_limit_bytes: a.quotaLimitBytes,
  disabled_at: O.toNullable(a.disabledAt),
})

const optionalAccount = decodeFirst(decodeAccount)

/** The account-scoped part, over either way of reaching PostgreSQL (account-access.ts). */
export const accountsIn = (access: AccountAccess): AccountTransaction['accounts'] => ({
  create: (account) =>
    pipe(
      access.run(account.accountId, (trx) =>
        trx('zkeb.accounts').insert({
          account_id: account.accountId,
          username: account.username,
          created_at: account.createdAt,
          ...mutableColumns(account),
        }),
      ),
      TE.map(() => undefined),
      TE.mapError((failure) =>
        isUniqueViolation('accounts_username_key')(failure) ? usernameTaken : failure,
      ),
    ),
  findById: (accountId) =>
    pipe(
      access.run(accountId, (trx) => trx('zkeb.accounts').where({ account_id: accountId }).select('*')),
      TE.flatMapEither(optionalAccount),
    ),
  save: (account, expectedVersion) =>
    pipe(
      access.run(account.accountId, async (trx): Promise<E.Either<Unavailable | VersionMismatch, void>> => {
        const accounts = () => trx('zkeb.accounts').where({ account_id: account.accountId })
        const updated = await accounts()
          .where({ key_bundle_version: expectedVersion })
          .update(mutableColumns(account))
        if (updated === 1) return E.right(undefined)
        const [stored] = await accounts().select<Array<{ key_bundle_version: number }>>('key_bundle_version')
        return stored === undefined
          ? E.left(unavailable('postgres')(new Error('account not found')))
          : E.left(versionMismatch(stored.key_bundle_version))
      }),
      TE.flatMapEither((result) => result),
    ),
  /** Devices, backups, audit events and blobs go with it (ON DELETE CASCADE). */
  delete: (accountId) =>
    pipe(
      access.run(accountId, (trx) => trx('zkeb.accounts').where({ account_id: accountId }).delete()),
      TE.map(() => undefined),
    ),
})

export const knexAccountRepository = (knex: Knex): AccountRepository => ({
  ...accountsIn(ownTransactions(knex)),
  /** Before authentication there is no account to scope to: a SECURITY DEFINER function does this one lookup. */
  findByUsername: (username) =>
    pipe(
      query(() =>
        knex.raw<{ rows: unknown[] }>('select * from zkeb.find_account_by_username(?)', [username]),
      ),
      TE.flatMapEither((result) => optionalAccount(result.rows)),
    ),
})
