/** The BackfillJobs contract, run against every adapter. */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import { anAccount } from '../support/persistence-builders'
import { right } from './harness'
import type { MaintenanceHarness } from './maintenance.harness'

const job = 'accounts-used-bytes'

export const backfillJobsContract = (name: string, setUp: () => Promise<MaintenanceHarness>): Mocha.Suite =>
  describe(`BackfillJobs contract (${name})`, () => {
    let h: MaintenanceHarness
    before(async () => {
      h = await setUp()
    })
    beforeEach(() => h.reset())
    after(() => h.close())

    const givenAccounts = async (n: number) => {
      for (let i = 0; i < n; i++) await right(h.accounts.create(anAccount()))
    }
    const step = async (size: number) => O.toNullable(await right(h.backfills.step(job, size)))

    it('lists the registered job, pending and untouched; knows no other name', async () => {
      const [listed] = await right(h.backfills.list())
      expect(listed).to.include({ name: job, state: 'pending', cursor: null, processed: 0, batches: 0 })
      expect(await h.backfills.find('no-such-job')()).to.deep.equal(E.right(O.none))
      expect(await h.backfills.step('no-such-job', 10)()).to.deep.equal(E.right(O.none))
    })

    it('walks every row in batches of the given size, then is done', async () => {
      await givenAccounts(5)
      expect(await right(h.backfills.size(job))).to.equal(5)
      expect(await step(2)).to.include({ state: 'pending', processed: 2, batches: 1 })
      expect(await step(2)).to.include({ state: 'pending', processed: 4, batches: 2 })
      const last = await step(2)
      expect(last).to.include({ state: 'done', processed: 5, batches: 3 })
      expect(last?.finishedAt).to.be.instanceOf(Date)
      expect(await step(2)).to.deep.equal(last)
    })

    it('does no batch while paused, and continues from its cursor once resumed', async () => {
      await givenAccounts(3)
      await step(2)
      expect(O.toNullable(await right(h.backfills.setPaused(job, true)))).to.include({ state: 'paused' })
      expect(await step(2)).to.include({ state: 'paused', processed: 2, batches: 1 })
      expect(O.toNullable(await right(h.backfills.setPaused(job, false)))).to.include({ state: 'pending' })
      expect(await step(2)).to.include({ state: 'done', processed: 3 })
    })

    it('keeps a done job done when asked to pause or resume it', async () => {
      await step(10)
      expect(O.toNullable(await right(h.backfills.setPaused(job, true)))).to.include({ state: 'done' })
      expect(O.toNullable(await right(h.backfills.setPaused(job, false)))).to.include({ state: 'done' })
    })

    it('is done after one short batch when there is nothing to walk', async () => {
      expect(await step(1000)).to.include({ state: 'done', processed: 0, batches: 1 })
    })
  })
