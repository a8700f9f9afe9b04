/** Knows how to keep accounts in memory, with the same contract as the PostgreSQL adapter. */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { AccountRepository } from '../../application/ports/account-repository'
import type { Account } from '../../domain/account'
import type { Unavailable } from '../../application/errors'
import { type UsernameTaken, usernameTaken, type VersionMismatch, versionMismatch } from '../../domain/errors'
import type { Username } from '../../domain/ids'
import { writing } from './in-memory-account-locks'
import {
  cascadeDeleteAccount,
  inMemoryDatabase,
  type InMemoryDatabase,
  memoryFailure,
} from './in-memory-database'

/** Pass the application's shared `db` so deleting an account also erases its devices, backups and audit. */
export const inMemoryAccountRepository = (db: InMemoryDatabase = inMemoryDatabase()): AccountRepository => {
  const byUsername = (username: Username): Account | undefined =>
    [...db.accounts.values()].find((a) => a.username.toLowerCase() === username.toLowerCase())

  return {
    create: (account) =>
      writing(db, account.accountId, (): E.Either<Unavailable | UsernameTaken, void> => {
        if (byUsername(account.username) !== undefined) return E.left(usernameTaken)
        if (db.accounts.has(account.accountId)) return E.left(memoryFailure('duplicate account id'))
        db.accounts.set(account.accountId, structuredClone(account))
        return E.right(undefined)
      }),
    findById: (accountId) => TE.fromIO(() => O.fromNullable(structuredClone(db.accounts.get(accountId)))),
    findByUsername: (username) => TE.fromIO(() => O.fromNullable(structuredClone(byUsername(username)))),
    save: (account, expectedVersion) =>
      writing(db, account.accountId, (): E.Either<Unavailable | VersionMismatch, void> => {
        const stored = db.accounts.get(account.accountId)
        if (stored === undefined) return E.left(memoryFailure('account not found'))
        if (stored.keyBundleVersion !== expectedVersion)
          return E.left(versionMismatch(stored.keyBundleVersion))
        db.accounts.set(account.accountId, {
          ...stored,
          opaqueRecord: account.opaqueRecord,
          keyBundle: structuredClone(account.keyBundle),
          keyBundleVersion: account.keyBundleVersion,
          recoveryVerifier: account.recoveryVerifier,
          quotaLimitBytes: account.quotaLimitBytes,
          disabledAt: account.disabledAt,
        })
        return E.right(undefined)
      }),
    delete: (accountId) => writing(db, accountId, () => E.right(cascadeDeleteAccount(db, accountId))),
  }
}
