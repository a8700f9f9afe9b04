/** The MaintenanceQueries contract, run against every adapter. */
import { expect } from 'chai'
import { Readable } from 'node:stream'
import * as O from 'fp-ts/Option'
import type { AccountId, BlobId } from '../../domain/ids'
import { aBackup, aBlobId, aDeviceId, anAccount, at } from '../support/persistence-builders'
import { right } from './harness'
import type { MaintenanceHarness } from './maintenance.harness'

const bytes = (n: number): AsyncIterable<Uint8Array> => Readable.from([new Uint8Array(n).fill(7)])

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
        h.backups.insert(aBackup(a, aDeviceId(), { sizeBytes: 100, blobId: await givenBlob(a, 100) })),
      )
      await right(
        h.backups.insert(
          aBackup(b, aDeviceId(), { sizeBytes: 50, deletedAt: O.some(at()), blobId: await givenBlob(b, 50) }),
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
  })
