/** The SnapshotKeyRepository contract (inside a UnitOfWork), run against every adapter. */
import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import type { WrappedSnapshotKey } from '../../domain/snapshot'
import { snapshotKeyExists } from '../../domain/snapshot-errors'
import { anAccountId, at } from '../support/persistence-builders'
import { left } from './harness'
import { givenAccount, inTx, type SnapshotHarness } from './snapshot-persistence'

const aWrappedKey = (): WrappedSnapshotKey => randomBytes(60).toString('base64url') as WrappedSnapshotKey

export const snapshotKeyRepositoryContract = (
  name: string,
  setUp: () => Promise<SnapshotHarness>,
): Mocha.Suite =>
  describe(`SnapshotKeyRepository contract (${name})`, () => {
    let h: SnapshotHarness
    before(async () => {
      h = await setUp()
    })
    beforeEach(() => h.reset())
    after(() => h.close())

    it('finds no key before the first one, then the one inserted', async () => {
      const accountId = await givenAccount(h)
      expect(await inTx(h, accountId, (tx) => tx.snapshotKeys.find(accountId))).to.deep.equal(O.none)
      const key = { accountId, wrappedKey: aWrappedKey(), createdAt: at(7) }
      await inTx(h, accountId, (tx) => tx.snapshotKeys.insert(key))
      expect(await inTx(h, accountId, (tx) => tx.snapshotKeys.find(accountId))).to.deep.equal(O.some(key))
    })

    it('refuses a second key, whatever its bytes, and keeps the first', async () => {
      const accountId = await givenAccount(h)
      const key = { accountId, wrappedKey: aWrappedKey(), createdAt: at() }
      await inTx(h, accountId, (tx) => tx.snapshotKeys.insert(key))
      for (const wrappedKey of [aWrappedKey(), key.wrappedKey])
        expect(
          await left(
            h.unitOfWork.inAccount(accountId, (tx) => tx.snapshotKeys.insert({ ...key, wrappedKey })),
          ),
        ).to.deep.equal(snapshotKeyExists)
      expect(await inTx(h, accountId, (tx) => tx.snapshotKeys.find(accountId))).to.deep.equal(O.some(key))
    })

    it('rewraps the stored key and keeps its creation time; without a key it changes nothing', async () => {
      const accountId = await givenAccount(h)
      const wrappedKey = aWrappedKey()
      expect(await inTx(h, accountId, (tx) => tx.snapshotKeys.rewrap(accountId, wrappedKey))).to.equal(false)
      expect(await inTx(h, accountId, (tx) => tx.snapshotKeys.find(accountId))).to.deep.equal(O.none)
      const key = { accountId, wrappedKey: aWrappedKey(), createdAt: at() }
      await inTx(h, accountId, (tx) => tx.snapshotKeys.insert(key))
      expect(await inTx(h, accountId, (tx) => tx.snapshotKeys.rewrap(accountId, wrappedKey))).to.equal(true)
      expect(await inTx(h, accountId, (tx) => tx.snapshotKeys.find(accountId))).to.deep.equal(
        O.some({ ...key, wrappedKey }),
      )
    })

    it('keeps accounts apart, and forgets the key with its account', async () => {
      const [mine, theirs] = [await givenAccount(h), await givenAccount(h)]
      const key = { accountId: theirs, wrappedKey: aWrappedKey(), createdAt: at() }
      await inTx(h, theirs, (tx) => tx.snapshotKeys.insert(key))
      expect(await inTx(h, mine, (tx) => tx.snapshotKeys.find(theirs))).to.deep.equal(O.none)
      expect(await inTx(h, mine, (tx) => tx.snapshotKeys.rewrap(theirs, aWrappedKey()))).to.equal(false)
      expect(await inTx(h, theirs, (tx) => tx.snapshotKeys.find(theirs))).to.deep.equal(O.some(key))
      await inTx(h, theirs, (tx) => tx.accounts.delete(theirs))
      expect(await inTx(h, theirs, (tx) => tx.snapshotKeys.find(theirs))).to.deep.equal(O.none)
    })

    it('refuses the key of an account that does not exist', async () => {
      const accountId = anAccountId()
      const failure = await left(
        h.unitOfWork.inAccount(accountId, (tx) =>
          tx.snapshotKeys.insert({ accountId, wrappedKey: aWrappedKey(), createdAt: at() }),
        ),
      )
      expect(failure._tag).to.equal('Unavailable')
    })

    it('does nothing until the task is run', async () => {
      const accountId = await givenAccount(h)
      await inTx(h, accountId, (tx) => {
        void tx.snapshotKeys.insert({ accountId, wrappedKey: aWrappedKey(), createdAt: at() })
        return tx.snapshotKeys.find(accountId)
      })
      expect(await inTx(h, accountId, (tx) => tx.snapshotKeys.find(accountId))).to.deep.equal(O.none)
    })
  })
