/** The ResticObjectRepository contract, run against every adapter. */
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import { quotaExceeded } from '../../domain/errors'
import { resticObjectExists, type ResticRepoName } from '../../domain/restic'
import { aBackup, aDevice, anAccount } from '../support/persistence-builders'
import { left, right } from './harness'
import { aResticObject, type ResticHarness } from './restic-persistence'

const unlimited = Number.MAX_SAFE_INTEGER

export const resticObjectRepositoryContract = (
  name: string,
  setUp: () => Promise<ResticHarness>,
): Mocha.Suite =>
  describe(`ResticObjectRepository contract (${name})`, () => {
    let h: ResticHarness
    before(async () => {
      h = await setUp()
    })
    beforeEach(() => h.reset())
    after(() => h.close())

    const givenAccount = async () => {
      const account = anAccount()
      await right(h.accounts.create(account))
      return account.accountId
    }

    it('finds what was committed, the config included', async () => {
      const accountId = await givenAccount()
      const pack = aResticObject(accountId)
      const config = aResticObject(accountId, { type: 'config', name: 'config', sizeBytes: 155 })
      await right(h.resticObjects.commit(pack, unlimited))
      await right(h.resticObjects.commit(config, unlimited))
      expect(await right(h.resticObjects.find(accountId, pack))).to.deep.equal(O.some(pack))
      expect(await right(h.resticObjects.find(accountId, config))).to.deep.equal(O.some(config))
    })

    it('lists the names and sizes of one type in one repository only', async () => {
      const accountId = await givenAccount()
      const wanted = [aResticObject(accountId, { sizeBytes: 1 }), aResticObject(accountId, { sizeBytes: 2 })]
      const others = [
        aResticObject(accountId, { type: 'index' }),
        aResticObject(accountId, { repo: 'desktop' as ResticRepoName }),
      ]
      for (const o of [...wanted, ...others]) await right(h.resticObjects.commit(o, unlimited))
      const listed = await right(h.resticObjects.list(accountId, 'laptop' as ResticRepoName, 'data'))
      expect(listed).to.have.deep.members(wanted.map((o) => ({ name: o.name, sizeBytes: o.sizeBytes })))
      expect(await right(h.resticObjects.list(accountId, 'none' as ResticRepoName, 'keys'))).to.deep.equal([])
    })

    it("counts a restic object's blob as referenced, so blob garbage collection keeps it", async () => {
      const accountId = await givenAccount()
      const object = aResticObject(accountId)
      const unnamed = aResticObject(accountId)
      await right(h.resticObjects.commit(object, unlimited))
      const asked = [object, unnamed].map((o) => ({ accountId, blobId: o.blobId }))
      expect(await right(h.backups.referencedBlobs(asked))).to.deep.equal([
        { accountId, blobId: object.blobId },
      ])
    })

    it('never overwrites: a second commit of a name is ResticObjectExists', async () => {
      const accountId = await givenAccount()
      const object = aResticObject(accountId)
      await right(h.resticObjects.commit(object, unlimited))
      expect(await left(h.resticObjects.commit({ ...object, sizeBytes: 5 }, unlimited))).to.deep.equal(
        resticObjectExists,
      )
      expect(await right(h.resticObjects.find(accountId, object))).to.deep.equal(O.some(object))
    })

    it('counts backups and restic objects together against the quota, both ways', async () => {
      const accountId = await givenAccount()
      const device = aDevice(accountId)
      await right(h.devices.add(device))
      await right(h.backups.commit(aBackup(accountId, device.deviceId, { sizeBytes: 600 }), 1000))
      await right(h.resticObjects.commit(aResticObject(accountId, { sizeBytes: 300 }), 1000))
      expect(await right(h.backups.usedBytes(accountId))).to.equal(900)
      expect(
        await left(h.resticObjects.commit(aResticObject(accountId, { sizeBytes: 101 }), 1000)),
      ).to.deep.equal(quotaExceeded(1000, 900))
      expect(
        await left(h.backups.commit(aBackup(accountId, device.deviceId, { sizeBytes: 101 }), 1000)),
      ).to.deep.equal(quotaExceeded(1000, 900))
      await right(h.resticObjects.commit(aResticObject(accountId, { sizeBytes: 100 }), 1000))
    })

    it('removes and returns the record once; later removes find nothing', async () => {
      const accountId = await givenAccount()
      const object = aResticObject(accountId)
      await right(h.resticObjects.commit(object, unlimited))
      expect(await right(h.resticObjects.remove(accountId, object))).to.deep.equal(O.some(object))
      expect(await right(h.resticObjects.remove(accountId, object))).to.deep.equal(O.none)
      expect(await right(h.resticObjects.find(accountId, object))).to.deep.equal(O.none)
      expect(await right(h.backups.usedBytes(accountId))).to.equal(0)
    })

    it('keeps accounts apart, and forgets an account’s objects with it', async () => {
      const [mine, theirs] = [await givenAccount(), await givenAccount()]
      const object = aResticObject(theirs)
      await right(h.resticObjects.commit(object, unlimited))
      expect(await right(h.resticObjects.find(mine, object))).to.deep.equal(O.none)
      expect(await right(h.resticObjects.remove(mine, object))).to.deep.equal(O.none)
      expect(await right(h.resticObjects.list(mine, object.repo, 'data'))).to.deep.equal([])
      await right(h.accounts.delete(theirs))
      expect(await right(h.resticObjects.find(theirs, object))).to.deep.equal(O.none)
    })

    it('refuses objects of an account that does not exist', async () => {
      const accountId = anAccount().accountId
      expect((await left(h.resticObjects.commit(aResticObject(accountId), unlimited)))._tag).to.equal(
        'Unavailable',
      )
    })

    it('does nothing until the task is run', async () => {
      const accountId = await givenAccount()
      const object = aResticObject(accountId)
      void h.resticObjects.commit(object, unlimited)
      expect(await right(h.resticObjects.find(accountId, object))).to.deep.equal(O.none)
    })
  })
