/** The ResticObjectRepository contract, run against every adapter. Quota: unit-of-work.contract.ts. */
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import { resticObjectExists, type ResticRepoName } from '../../domain/restic'
import { anAccount } from '../support/persistence-builders'
import { left, right } from './harness'
import { aResticObject, type ResticHarness } from './restic-persistence'

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

    it('finds what was inserted, the config included', async () => {
      const accountId = await givenAccount()
      const pack = aResticObject(accountId)
      const config = aResticObject(accountId, { type: 'config', name: 'config', sizeBytes: 155 })
      await right(h.resticObjects.insert(pack))
      await right(h.resticObjects.insert(config))
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
      for (const o of [...wanted, ...others]) await right(h.resticObjects.insert(o))
      const listed = await right(h.resticObjects.list(accountId, 'laptop' as ResticRepoName, 'data'))
      expect(listed).to.have.deep.members(wanted.map((o) => ({ name: o.name, sizeBytes: o.sizeBytes })))
      expect(await right(h.resticObjects.list(accountId, 'none' as ResticRepoName, 'keys'))).to.deep.equal([])
    })

    it("counts a restic object's blob as referenced, so blob garbage collection keeps it", async () => {
      const accountId = await givenAccount()
      const object = aResticObject(accountId)
      const unnamed = aResticObject(accountId)
      await right(h.resticObjects.insert(object))
      const asked = [object, unnamed].map((o) => ({ accountId, blobId: o.blobId }))
      expect(await right(h.backups.referencedBlobs(asked))).to.deep.equal([
        { accountId, blobId: object.blobId },
      ])
    })

    it('never overwrites: a second insert of a name is ResticObjectExists', async () => {
      const accountId = await givenAccount()
      const object = aResticObject(accountId)
      await right(h.resticObjects.insert(object))
      expect(await left(h.resticObjects.insert({ ...object, sizeBytes: 5 }))).to.deep.equal(
        resticObjectExists,
      )
      expect(await right(h.resticObjects.find(accountId, object))).to.deep.equal(O.some(object))
    })

    it('removes and returns the record once; later removes find nothing', async () => {
      const accountId = await givenAccount()
      const object = aResticObject(accountId)
      await right(h.resticObjects.insert(object))
      expect(await right(h.resticObjects.remove(accountId, object))).to.deep.equal(O.some(object))
      expect(await right(h.resticObjects.remove(accountId, object))).to.deep.equal(O.none)
      expect(await right(h.resticObjects.find(accountId, object))).to.deep.equal(O.none)
    })

    it('keeps accounts apart, and forgets an account’s objects with it', async () => {
      const [mine, theirs] = [await givenAccount(), await givenAccount()]
      const object = aResticObject(theirs)
      await right(h.resticObjects.insert(object))
      expect(await right(h.resticObjects.find(mine, object))).to.deep.equal(O.none)
      expect(await right(h.resticObjects.remove(mine, object))).to.deep.equal(O.none)
      expect(await right(h.resticObjects.list(mine, object.repo, 'data'))).to.deep.equal([])
      await right(h.accounts.delete(theirs))
      expect(await right(h.resticObjects.find(theirs, object))).to.deep.equal(O.none)
    })

    it('refuses objects of an account that does not exist', async () => {
      const accountId = anAccount().accountId
      expect((await left(h.resticObjects.insert(aResticObject(accountId))))._tag).to.equal('Unavailable')
    })

    it('does nothing until the task is run', async () => {
      const accountId = await givenAccount()
      const object = aResticObject(accountId)
      void h.resticObjects.insert(object)
      expect(await right(h.resticObjects.find(accountId, object))).to.deep.equal(O.none)
    })
  })
