/** The DeviceRepository contract, run against every adapter. */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import { deviceExists } from '../../domain/errors'
import { aDevice, aDeviceId, anAccount, anAccountId, at } from '../support/persistence-builders'
import { left, type PersistenceHarness, right } from './harness'

export const deviceRepositoryContract = (
  name: string,
  setUp: () => Promise<PersistenceHarness>,
): Mocha.Suite =>
  describe(`DeviceRepository contract (${name})`, () => {
    let h: PersistenceHarness
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

    it('finds an added device with its times to the millisecond', async () => {
      const device = aDevice(await givenAccount(), { createdAt: at(1), lastSeenAt: at(2) })
      await right(h.devices.add(device))
      expect(await h.devices.find(device.accountId, device.deviceId)()).to.deep.equal(E.right(O.some(device)))
    })

    it("finds nothing for an unknown id and for another account's device alike", async () => {
      const device = aDevice(await givenAccount())
      await right(h.devices.add(device))
      const other = await givenAccount()
      expect(await h.devices.find(device.accountId, aDeviceId())()).to.deep.equal(E.right(O.none))
      expect(await h.devices.find(other, device.deviceId)()).to.deep.equal(E.right(O.none))
    })

    it("lists only the account's devices, oldest first", async () => {
      const accountId = await givenAccount()
      const newer = aDevice(accountId, { createdAt: at(5) })
      const older = aDevice(accountId, { createdAt: at(-5) })
      await right(h.devices.add(newer))
      await right(h.devices.add(older))
      await right(h.devices.add(aDevice(await givenAccount())))
      expect(await right(h.devices.list(accountId))).to.deep.equal([older, newer])
    })

    it('stores lastSeenAt and revokedAt of an existing device', async () => {
      const device = aDevice(await givenAccount())
      await right(h.devices.add(device))
      const seen = { ...device, lastSeenAt: at(60_001), revokedAt: O.some(at(60_002)) }
      await right(h.devices.save(seen))
      expect(await h.devices.find(device.accountId, device.deviceId)()).to.deep.equal(E.right(O.some(seen)))
    })

    it('stamps only lastSeenAt when marking a device seen: a revocation stored meanwhile stays', async () => {
      const device = aDevice(await givenAccount())
      await right(h.devices.add(device))
      const revoked = { ...device, revokedAt: O.some(at(60_002)) }
      await right(h.devices.save(revoked))
      await right(h.devices.markSeen(device.accountId, device.deviceId, at(60_003)))
      expect(await h.devices.find(device.accountId, device.deviceId)()).to.deep.equal(
        E.right(O.some({ ...revoked, lastSeenAt: at(60_003) })),
      )
      const other = await givenAccount()
      await right(h.devices.markSeen(other, device.deviceId, at(60_004)))
      expect(await h.devices.find(device.accountId, device.deviceId)()).to.deep.equal(
        E.right(O.some({ ...revoked, lastSeenAt: at(60_003) })),
      )
    })

    it("changes nothing when saving a device under another account's id", async () => {
      const device = aDevice(await givenAccount())
      await right(h.devices.add(device))
      const other = await givenAccount()
      await right(h.devices.save({ ...device, accountId: other, revokedAt: O.some(at(9)) }))
      expect(await h.devices.find(device.accountId, device.deviceId)()).to.deep.equal(E.right(O.some(device)))
      expect(await h.devices.find(other, device.deviceId)()).to.deep.equal(E.right(O.none))
    })

    it('refuses a second device with the key of one the account has, even revoked; another account may', async () => {
      const accountId = await givenAccount()
      const first = aDevice(accountId)
      await right(h.devices.add(first))
      await right(h.devices.save({ ...first, revokedAt: O.some(at(1)) }))
      expect(await left(h.devices.add(aDevice(accountId, { publicKey: first.publicKey })))).to.deep.equal(
        deviceExists,
      )
      const elsewhere = aDevice(await givenAccount(), { publicKey: first.publicKey })
      await right(h.devices.add(elsewhere))
      expect((await right(h.devices.list(accountId))).map((d) => d.deviceId)).to.deep.equal([first.deviceId])
    })

    it('refuses a device of an account that does not exist', async () => {
      const failure = await left(h.devices.add(aDevice(anAccountId())))
      expect(failure._tag).to.equal('Unavailable')
    })

    it('does nothing until the task is run', async () => {
      const device = aDevice(await givenAccount())
      const add = h.devices.add(device)
      expect(await right(h.devices.list(device.accountId))).to.deep.equal([])
      await right(add)
      expect(await right(h.devices.list(device.accountId))).to.deep.equal([device])
    })
  })
