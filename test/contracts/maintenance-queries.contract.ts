/** The MaintenanceQueries contract, run against every adapter. */
import { expect } from 'chai'
import { Readable } from 'node:stream'
import * as O from 'fp-ts/Option'
import type { AccountId, BlobId, Username } from '../../domain/ids'
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

    it('lists accounts by username, letter case ignored, a page at a time, with one row more than the limit', async () => {
      const named = (username: string, overrides = {}) =>
        givenAccount({ username: username as Username, ...overrides })
      const bob = await named('Bob.b', { disabledAt: O.some(at(1)), quotaLimitBytes: 1000 })
      const alice = await named('alice')
      await named('carol_c')
      await named('bob-a')
      await right(
        h.backups.insert(
          aBackup(alice, aDeviceId(), { sizeBytes: 100, blobId: await givenBlob(alice, 100) }),
        ),
      )
      const page = (after: string | null, limit: number) =>
        right(h.maintenance.listAccounts({ after: O.fromNullable(after as Username | null), limit }))
      const names = async (after: string | null, limit: number) =>
        (await page(after, limit)).map((a) => a.username)
      // Byte order of the lower-case name: '-' (0x2d) sorts before '.' (0x2e), whatever the database's locale.
      expect(await names(null, 10)).to.deep.equal(['alice', 'bob-a', 'Bob.b', 'carol_c'])
      expect(await names(null, 1)).to.deep.equal(['alice', 'bob-a'])
      expect(await names('ALICE', 2)).to.deep.equal(['bob-a', 'Bob.b', 'carol_c'])
      expect(await names('bob.B', 5)).to.deep.equal(['carol_c'])
      expect(await names('zzz', 5)).to.deep.equal([])
      const [first, second] = await page(null, 10)
      expect(first).to.deep.equal({
        accountId: alice,
        username: 'alice',
        createdAt: at(),
        disabledAt: O.none,
        quotaLimitBytes: 10 * 1024 ** 3,
        usedBytes: 100,
      })
      expect((await page('bob-a', 1))[0]).to.deep.include({
        accountId: bob,
        disabledAt: O.some(at(1)),
        quotaLimitBytes: 1000,
        usedBytes: 0,
      })
      expect(second?.usedBytes).to.equal(0)
    })

    it('reads when the task runs, not when it is made; an empty service lists nothing', async () => {
      const task = h.maintenance.listAccounts({ after: O.none, limit: 5 })
      await givenAccount()
      expect(await right(task)).to.have.length(1)
      await h.reset()
      expect(await right(h.maintenance.listAccounts({ after: O.none, limit: 5 }))).to.deep.equal([])
    })
  })
