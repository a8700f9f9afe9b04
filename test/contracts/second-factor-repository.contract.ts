/** The SecondFactorRepository contract (inside a UnitOfWork), run against every adapter. */
import { randomBytes, randomUUID } from 'node:crypto'
import { expect } from 'chai'
import type { AccountId } from '../../domain/ids'
import type { FactorId, SecondFactor } from '../../domain/second-factor'
import { at } from '../support/persistence-builders'
import { givenAccount, inTx, type SnapshotHarness } from './snapshot-persistence'

const aFactor = (accountId: AccountId, offsetMs = 0): SecondFactor => ({
  accountId,
  factorId: randomUUID() as FactorId,
  kind: 'totp',
  sealedSecret: new Uint8Array(randomBytes(48)),
  lastStep: null,
  createdAt: at(offsetMs),
  confirmedAt: null,
})

const aDigest = (): string => randomBytes(32).toString('hex')

export const secondFactorRepositoryContract = (
  name: string,
  setUp: () => Promise<SnapshotHarness>,
): Mocha.Suite =>
  describe(`SecondFactorRepository contract (${name})`, () => {
    let h: SnapshotHarness
    before(async () => {
      h = await setUp()
    })
    beforeEach(() => h.reset())
    after(() => h.close())

    it('lists the factors added, oldest first, byte for byte', async () => {
      const accountId = await givenAccount(h)
      const [late, early] = [aFactor(accountId, 10), aFactor(accountId, 0)]
      await inTx(h, accountId, (tx) => tx.secondFactors.add(late))
      await inTx(h, accountId, (tx) => tx.secondFactors.add(early))
      expect(await inTx(h, accountId, (tx) => tx.secondFactors.list(accountId))).to.deep.equal([early, late])
    })

    it('accepts a step only after the last one, confirming the factor once', async () => {
      const accountId = await givenAccount(h)
      const factor = aFactor(accountId)
      await inTx(h, accountId, (tx) => tx.secondFactors.add(factor))
      const accept = (step: number, when: Date) =>
        inTx(h, accountId, (tx) => tx.secondFactors.acceptStep(accountId, factor.factorId, step, when))
      expect(await accept(100, at(1))).to.equal(true)
      expect(await accept(100, at(2)), 'the same step again').to.equal(false)
      expect(await accept(99, at(3)), 'an older step').to.equal(false)
      expect(await accept(101, at(4))).to.equal(true)
      const [stored] = await inTx(h, accountId, (tx) => tx.secondFactors.list(accountId))
      expect(stored).to.deep.equal({ ...factor, lastStep: 101, confirmedAt: at(1) })
      expect(
        await inTx(h, accountId, (tx) =>
          tx.secondFactors.acceptStep(accountId, randomUUID() as FactorId, 1, at()),
        ),
      ).to.equal(false)
    })

    it('removes a factor once', async () => {
      const accountId = await givenAccount(h)
      const factor = aFactor(accountId)
      await inTx(h, accountId, (tx) => tx.secondFactors.add(factor))
      const remove = () => inTx(h, accountId, (tx) => tx.secondFactors.remove(accountId, factor.factorId))
      expect(await remove()).to.equal(true)
      expect(await remove()).to.equal(false)
      expect(await inTx(h, accountId, (tx) => tx.secondFactors.list(accountId))).to.deep.equal([])
    })

    it('spends each recovery code once; a replacement voids the old codes', async () => {
      const accountId = await givenAccount(h)
      const [a, b] = [aDigest(), aDigest()]
      await inTx(h, accountId, (tx) => tx.secondFactors.replaceRecoveryCodes(accountId, [a, b]))
      const spend = (digest: string) =>
        inTx(h, accountId, (tx) => tx.secondFactors.spendRecoveryCode(accountId, digest, at()))
      const left = () => inTx(h, accountId, (tx) => tx.secondFactors.recoveryCodesLeft(accountId))
      expect(await left()).to.equal(2)
      expect(await spend(a)).to.equal(true)
      expect(await spend(a), 'spent').to.equal(false)
      expect(await spend(aDigest()), 'unknown').to.equal(false)
      expect(await left()).to.equal(1)
      const c = aDigest()
      await inTx(h, accountId, (tx) => tx.secondFactors.replaceRecoveryCodes(accountId, [c]))
      expect(await spend(b), 'replaced').to.equal(false)
      expect(await spend(c)).to.equal(true)
      expect(await left()).to.equal(0)
    })

    it('keeps accounts apart, and forgets factors and codes with their account', async () => {
      const [mine, theirs] = [await givenAccount(h), await givenAccount(h)]
      const factor = aFactor(mine)
      const digest = aDigest()
      await inTx(h, mine, (tx) => tx.secondFactors.add(factor))
      await inTx(h, mine, (tx) => tx.secondFactors.replaceRecoveryCodes(mine, [digest]))
      expect(await inTx(h, theirs, (tx) => tx.secondFactors.list(mine))).to.deep.equal([])
      expect(await inTx(h, theirs, (tx) => tx.secondFactors.remove(mine, factor.factorId))).to.equal(false)
      expect(await inTx(h, theirs, (tx) => tx.secondFactors.spendRecoveryCode(mine, digest, at()))).to.equal(
        false,
      )
      expect(await inTx(h, mine, (tx) => tx.secondFactors.recoveryCodesLeft(mine))).to.equal(1)
      await inTx(h, mine, (tx) => tx.accounts.delete(mine))
      expect(await inTx(h, mine, (tx) => tx.secondFactors.list(mine))).to.deep.equal([])
      expect(await inTx(h, mine, (tx) => tx.secondFactors.recoveryCodesLeft(mine))).to.equal(0)
    })
  })
