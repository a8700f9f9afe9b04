import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import { deviceNotFound, deviceRevoked, unauthenticated } from '../../domain/errors'
import { aDeviceId } from '../support/builders'
import { type InMemoryZkeb, inMemoryZkeb } from '../support/in-memory-zkeb'
import { addDevice, anUpload, callerFor, fails, inPieces, logIn, ok, register } from '../support/test-client'

describe('devices', () => {
  let z: InMemoryZkeb
  beforeEach(async () => {
    z = await inMemoryZkeb()
  })

  it('lists the added devices oldest first, with the time they were added', async () => {
    const caller = await callerFor(z.useCases, await register(z.useCases))
    const first = await addDevice(z.useCases, caller)
    z.clock.advance(1000)
    const second = await addDevice(z.useCases, caller)
    const devices = await ok(z.useCases.listDevices(caller))
    expect(devices.map((d) => d.deviceId)).to.deep.equal([first.device.deviceId, second.device.deviceId])
    expect(devices[0]).to.deep.include({ publicKey: first.key.publicKey, revokedAt: O.none })
  })

  it('revokes a device: its sessions end, its uploads are refused, and it stays listed', async () => {
    const who = await register(z.useCases)
    const owner = await callerFor(z.useCases, who)
    const { device, key } = await addDevice(z.useCases, owner)
    const onDevice = await logIn(z.useCases, who, device.deviceId)
    await ok(z.useCases.revokeDevice({ deviceId: device.deviceId }, owner))
    expect(await fails(z.useCases.authenticate(onDevice.accessToken, owner))).to.deep.equal(unauthenticated)
    const up = anUpload(device.deviceId, key)
    expect(await fails(z.useCases.uploadBackup(up.input, inPieces(up.content), owner))).to.deep.equal(
      deviceRevoked(device.deviceId),
    )
    const listed = await ok(z.useCases.listDevices(owner))
    expect(listed[0]!.revokedAt).to.deep.equal(O.some(z.clock.now()))
  })

  it('revokes idempotently, keeping the first time and recording it once', async () => {
    const caller = await callerFor(z.useCases, await register(z.useCases))
    const { device } = await addDevice(z.useCases, caller)
    await ok(z.useCases.revokeDevice({ deviceId: device.deviceId }, caller))
    const firstTime = z.clock.now()
    z.clock.advance(5000)
    await ok(z.useCases.revokeDevice({ deviceId: device.deviceId }, caller))
    expect((await ok(z.useCases.listDevices(caller)))[0]!.revokedAt).to.deep.equal(O.some(firstTime))
    const events = (await ok(z.useCases.listAudit({ limit: 200 } as never, caller))).items
    expect(events.filter((e) => e.type === 'device-revoked')).to.have.length(1)
    expect(events.filter((e) => e.type === 'device-added')[0]!.deviceId).to.equal(device.deviceId)
  })

  it("answers not found for an unknown device and for another account's", async () => {
    const alice = await callerFor(z.useCases, await register(z.useCases))
    const bob = await callerFor(z.useCases, await register(z.useCases))
    const { device } = await addDevice(z.useCases, bob)
    const unknown = aDeviceId()
    expect(await fails(z.useCases.revokeDevice({ deviceId: unknown }, alice))).to.deep.equal(
      deviceNotFound(unknown),
    )
    expect(await fails(z.useCases.revokeDevice({ deviceId: device.deviceId }, alice))).to.deep.equal(
      deviceNotFound(device.deviceId),
    )
    expect(await ok(z.useCases.listDevices(alice))).to.deep.equal([])
  })
})
