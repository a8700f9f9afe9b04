/** The MaintenanceQueries contract, run against every adapter. */
import { expect } from 'chai'
import { Readable } from 'node:stream'
import * as O from 'fp-ts/Option'
import type { AccountId, BlobId } from '../../domain/ids'
import { aBackup, aBlobId, aDeviceId, anAccount, at } from '../support/persistence-builders'
import { right } from './harness'
import type { MaintenanceHarness } from './maintenance.harness'

const bytes = (n: number): AsyncIterable<Uint8Array> => Readable.from([new Uint8Array(n).fill(7)])

const hourMs = 60 * 60 * 1000

export const maintenanceQueriesContract = (
  name: string,
  setUp: () => Promise<MaintenanceHarness>,
): Mocha.Suite =>
  describe(`MaintenanceQueries contract (${name})`, () => {
    let h: MaintenanceHarness
    before(async () => {
      h = await setUp()
    })
    beforeEach(() => h.reset())
    after(() => h.close())

    const givenAccount = async (overrides = {}): Promise<AccountId> => {
      const account = anAccount(overrides)
      await right(h.accounts.create(account))
      return account.accountId
    }
    const givenBlob = async (accountId: AccountId, size: number): Promise<BlobId> => {
      const blobId = aBlobId()
      await right(h.blobs.write(accountId, blobId, bytes(size)))
      return blobId
    }

    it('counts accounts, disabled ones, live and trashed backups, and bytes across every account', async () => {
      const a = await givenAccount()
      const b = await givenAccount({ disabledAt: O.some(at()) })
      await right(
        h.backups.commit(aBackup(a, aDeviceId(), { sizeBytes: 100, blobId: await givenBlob(a, 100) }), 1e9),
      )
      await right(
        h.backups.commit(
          aBackup(b, aDeviceId(), { sizeBytes: 50, deletedAt: O.some(at()), blobId: await givenBlob(b, 50) }),
          1e9,
        ),
      )
      await givenBlob(b, 30)
      expect(await right(h.maintenance.stats())).to.deep.equal({
        accounts: 2,
        disabledAccounts: 1,
        liveBackups: 1,
        trashedBackups: 1,
        backupBytes: 150,
        blobs: 3,
        blobBytes: 180,
      })
    })

    it('finds blobs no backup names, in every account, but only those written before the cutoff', async () => {
      const [a, b] = [await givenAccount(), await givenAccount()]
      const named = await givenBlob(a, 10)
      await right(h.backups.commit(aBackup(a, aDeviceId(), { sizeBytes: 10, blobId: named }), 1e9))
      const orphanA = await givenBlob(a, 10)
      const orphanB = await givenBlob(b, 10)
      const later = new Date(Date.now() + hourMs)
      const found = await right(h.maintenance.orphanBlobs(later, 100))
      expect(found.map((o) => o.blobId)).to.have.members([orphanA, orphanB])
      expect(found.find((o) => o.blobId === orphanB)?.accountId).to.equal(b)
      expect(await right(h.maintenance.orphanBlobs(new Date(Date.now() - hourMs), 100))).to.deep.equal([])
      expect(await right(h.maintenance.orphanBlobs(later, 1))).to.have.length(1)
    })

    it('no longer reports a blob once it is deleted', async () => {
      const a = await givenAccount()
      const orphan = await givenBlob(a, 10)
      await right(h.blobs.delete(a, orphan))
      expect(await right(h.maintenance.orphanBlobs(new Date(Date.now() + hourMs), 100))).to.deep.equal([])
    })
  })
