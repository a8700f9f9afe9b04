/** Knows how to keep second factors in memory, with the same contract as the PostgreSQL adapter. */
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import type { SecondFactorRepository } from '../../application/ports/second-factor-repository'
import type { AccountId } from '../../domain/ids'
import type { SecondFactor } from '../../domain/second-factor'
import { writing } from './in-memory-account-locks'
import { type InMemoryDatabase, memoryFailure, snapshotKey } from './in-memory-database'

const oldestFirst = (a: SecondFactor, b: SecondFactor): number =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.factorId < b.factorId ? -1 : 1)

const codesOf = (db: InMemoryDatabase, accountId: AccountId) =>
  [...db.recoveryCodes.entries()].filter(([, c]) => c.accountId === accountId)

export const inMemorySecondFactorRepository = (db: InMemoryDatabase): SecondFactorRepository => ({
  list: (accountId) =>
    TE.fromIO(() =>
      structuredClone(
        [...db.secondFactors.values()].filter((f) => f.accountId === accountId).sort(oldestFirst),
      ),
    ),
  add: (factor) =>
    writing(db, factor.accountId, () => {
      const key = snapshotKey(factor.accountId, factor.factorId)
      if (!db.accounts.has(factor.accountId)) return E.left(memoryFailure('account not found'))
      if (db.secondFactors.has(key)) return E.left(memoryFailure('duplicate factor'))
      db.secondFactors.set(key, structuredClone(factor))
      return E.right(undefined)
    }),
  acceptStep: (accountId, factorId, step, at) =>
    writing(db, accountId, () => {
      const key = snapshotKey(accountId, factorId)
      const stored = db.secondFactors.get(key)
      if (stored === undefined || (stored.lastStep !== null && stored.lastStep >= step)) return E.right(false)
      db.secondFactors.set(key, { ...stored, lastStep: step, confirmedAt: stored.confirmedAt ?? at })
      return E.right(true)
    }),
  remove: (accountId, factorId) =>
    writing(db, accountId, () => E.right(db.secondFactors.delete(snapshotKey(accountId, factorId)))),
  replaceRecoveryCodes: (accountId, digests) =>
    writing(db, accountId, () => {
      if (!db.accounts.has(accountId)) return E.left(memoryFailure('account not found'))
      for (const [key] of codesOf(db, accountId)) db.recoveryCodes.delete(key)
      for (const digest of digests)
        db.recoveryCodes.set(snapshotKey(accountId, digest), { accountId, digest, usedAt: null })
      return E.right(undefined)
    }),
  spendRecoveryCode: (accountId, digest, at) =>
    writing(db, accountId, () => {
      const key = snapshotKey(accountId, digest)
      const stored = db.recoveryCodes.get(key)
      if (stored === undefined || stored.usedAt !== null) return E.right(false)
      db.recoveryCodes.set(key, { ...stored, usedAt: at })
      return E.right(true)
    }),
  recoveryCodesLeft: (accountId) =>
    TE.fromIO(() => codesOf(db, accountId).filter(([, c]) => c.usedAt === null).length),
})
