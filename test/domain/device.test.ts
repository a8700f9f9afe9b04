import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import { ensureActive, revoke } from '../../domain/device'
import { deviceRevoked } from '../../domain/errors'
import { aDevice, anAccountId, at } from '../support/builders'

describe('device', () => {
  it('lets an unrevoked device act', () => {
    const device = aDevice(anAccountId())
    expect(ensureActive(device)).to.deep.equal(E.right(device))
  })

  it('refuses a revoked device', () => {
    const device = revoke(aDevice(anAccountId()), at())
    expect(ensureActive(device)).to.deep.equal(E.left(deviceRevoked(device.deviceId)))
  })

  it('keeps the first revocation time when revoked twice', () => {
    const once = revoke(aDevice(anAccountId()), at(1))
    expect(revoke(once, at(2)).revokedAt).to.deep.equal(O.some(at(1)))
  })
})
