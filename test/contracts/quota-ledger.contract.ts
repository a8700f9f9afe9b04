/**
 * The QuotaLedger's figures, run inside the UnitOfWork contract against every adapter: what the lock returns,
 * what counts as stored (backups live and trashed, restic objects) and as reserved (open resumable uploads).
 */
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import type { AccountTransaction } from '../../application/ports/unit-of-work'
import type { AccountId } from '../../domain/ids'
import { aBackup, aDeviceId, anAccount, anAccountId, at } from '../support/persistence-builders'
import { right } from './harness'
import { aResticObject } from './restic-persistence'
import type { UnitOfWorkHarness } from './unit-of-work.harness'
import { anUploadSession } from './upload-persistence'

export const quotaLedgerContract = (harness: () => UnitOfWorkHarness): Mocha.Suite =>
  describe('QuotaLedger', () => {
    const h = () => harness()
    const inAccount = <E extends { readonly _tag: string }, A>(
      accountId: AccountId,
      work: (tx: AccountTransaction) => TE.TaskEither<E, A>,
    ) => right(h().unitOfWork.inAccount(accountId, work))
    const givenAccount = async () => {
      const account = anAccount({ quotaLimitBytes: 5000 })
      await right(h().accounts.create(account))
      return account
    }

    it('locks the account and returns it as stored, and nothing for an unknown one', async () => {
      const account = await givenAccount()
      expect(await inAccount(account.accountId, (tx) => tx.quota.lock(account.accountId))).to.deep.equal(
        O.some(account),
      )
      const unknown = anAccountId()
      expect(await inAccount(unknown, (tx) => tx.quota.lock(unknown))).to.deep.equal(O.none)
    })

    it('stands an account with its stored bytes: backups live and trashed, and restic objects', async () => {
      const account = await givenAccount()
      const { accountId } = account
      const standing = () => inAccount(accountId, (tx) => tx.quota.standing(accountId))
      expect(await standing()).to.deep.equal(O.some({ account, usedBytes: 0 }))
      await right(h().backups.insert(aBackup(accountId, aDeviceId(), { sizeBytes: 600 })))
      await right(
        h().backups.insert(aBackup(accountId, aDeviceId(), { sizeBytes: 300, deletedAt: O.some(at()) })),
      )
      await right(h().resticObjects.insert(aResticObject(accountId, { sizeBytes: 50 })))
      await right(h().uploads.create(anUploadSession(accountId, { lengthBytes: 7 })))
      expect(await standing()).to.deep.equal(O.some({ account, usedBytes: 950 }))
      const unknown = anAccountId()
      expect(await inAccount(unknown, (tx) => tx.quota.standing(unknown))).to.deep.equal(O.none)
    })

    it('counts stored bytes, and open uploads as reserved but for the one becoming `except`', async () => {
      const { accountId } = await givenAccount()
      const stored = aBackup(accountId, aDeviceId(), { sizeBytes: 600 })
      await right(h().backups.insert(stored))
      await right(h().resticObjects.insert(aResticObject(accountId, { sizeBytes: 50 })))
      const completing = anUploadSession(accountId, { lengthBytes: 400 })
      const other = anUploadSession(accountId, { lengthBytes: 300 })
      for (const session of [completing, other]) await right(h().uploads.create(session))
      expect(await inAccount(accountId, (tx) => tx.quota.usage(accountId))).to.deep.equal({
        usedBytes: 650,
        reservedBytes: 700,
      })
      expect(
        await inAccount(accountId, (tx) => tx.quota.usage(accountId, completing.backupId)),
      ).to.deep.equal({
        usedBytes: 650,
        reservedBytes: 300,
      })
    })

    it('frees what a removed backup stored and what a removed upload reserved', async () => {
      const { accountId } = await givenAccount()
      const stored = aBackup(accountId, aDeviceId(), { sizeBytes: 600 })
      const upload = anUploadSession(accountId, { lengthBytes: 400 })
      await right(h().backups.insert(stored))
      await right(h().uploads.create(upload))
      await right(h().backups.remove(accountId, stored.backupId))
      await right(h().uploads.remove(accountId, upload.uploadId))
      expect(await inAccount(accountId, (tx) => tx.quota.usage(accountId))).to.deep.equal({
        usedBytes: 0,
        reservedBytes: 0,
      })
    })

    it('counts what the transaction itself wrote', async () => {
      const { accountId } = await givenAccount()
      const usage = await inAccount(accountId, (tx) => {
        const write = tx.backups.insert(aBackup(accountId, aDeviceId(), { sizeBytes: 70 }))
        return async () => {
          await write()
          await tx.uploads.create(anUploadSession(accountId, { lengthBytes: 30 }))()
          return tx.quota.usage(accountId)()
        }
      })
      expect(usage).to.deep.equal({ usedBytes: 70, reservedBytes: 30 })
    })
  })
