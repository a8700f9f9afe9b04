/**
 * Sensitive operations need a fresh proof of the password: a session whose OPAQUE login is older than
 * `freshLoginSeconds` may still read and write backups, but not change the password, erase the account, revoke
 * another device or create a restic token. A refresh keeps the login's time; a new login is fresh again.
 */
import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import type { Caller } from '../../application/context'
import { defaultSettings } from '../../application/settings'
import type { OpaqueMessage } from '../../application/shared'
import { freshLoginRequired } from '../../domain/errors'
import { seconds } from '../support/controllable-clock'
import { type InMemoryZkeb, inMemoryZkeb } from '../support/in-memory-zkeb'
import { addDevice, callerFor, fails, logIn, ok, register, type Registered } from '../support/test-client'

const ctx = { requestId: 'req-fresh' }
const maxAge = defaultSettings.freshLoginSeconds
const stale = freshLoginRequired(maxAge)

describe('fresh login for sensitive operations', () => {
  let z: InMemoryZkeb
  let who: Registered
  let caller: Caller
  beforeEach(async () => {
    z = await inMemoryZkeb()
    who = await register(z.useCases)
    caller = await callerFor(z.useCases, who)
  })

  /** The same session as `caller`, authenticated again now (as the next request would be). */
  const again = async (refreshToken?: string): Promise<Caller> => {
    if (refreshToken === undefined) throw new Error('no refresh token')
    const { accessToken } = await ok(z.useCases.refreshSession({ refreshToken } as never, ctx))
    return ok(z.useCases.authenticate(accessToken, ctx))
  }

  it('is five minutes by default', () => {
    expect(maxAge).to.equal(300)
  })

  it('refuses the sensitive operations once the login is older than that, and allows the rest', async () => {
    const { device } = await addDevice(z.useCases, caller)
    const { refreshToken } = await logIn(z.useCases, who)
    z.clock.advance(seconds(maxAge + 1))
    const old = await again(refreshToken)
    const registrationRequest = randomBytes(32).toString('base64url') as OpaqueMessage
    expect(await fails(z.useCases.startPasswordChange({ registrationRequest }, old))).to.deep.equal(stale)
    const finish = { expectedVersion: 1, registrationRecord: 'AAAA', passwordWrappedUmk: 'AAAA' } as never
    expect(await fails(z.useCases.finishPasswordChange(finish, old))).to.deep.equal(stale)
    expect(await fails(z.useCases.revokeDevice({ deviceId: device.deviceId }, old))).to.deep.equal(stale)
    expect(await fails(z.useCases.createResticToken({ appendOnly: false }, old))).to.deep.equal(stale)
    expect(await fails(z.useCases.deleteAccount(old))).to.deep.equal(stale)
    // Nothing happened, and the session still does everything else.
    expect((await ok(z.useCases.listDevices(old)))[0]!.revokedAt._tag).to.equal('None')
    expect(await ok(z.useCases.listResticTokens(old))).to.deep.equal([])
    expect((await ok(z.useCases.getAccount(old))).accountId).to.equal(who.accountId)
  })

  it('lets an old session revoke its own device: no more than logging out', async () => {
    const { device } = await addDevice(z.useCases, caller)
    const onDevice = await logIn(z.useCases, who, device.deviceId)
    z.clock.advance(seconds(maxAge + 1))
    const old = await again(onDevice.refreshToken)
    expect(old.deviceId).to.equal(device.deviceId)
    await ok(z.useCases.revokeDevice({ deviceId: device.deviceId }, old))
  })

  it('counts from the login, not from the last refresh, and a new login is fresh again', async () => {
    const { refreshToken } = await logIn(z.useCases, who)
    z.clock.advance(seconds(maxAge - 10))
    const refreshed = await ok(z.useCases.refreshSession({ refreshToken } as never, ctx))
    z.clock.advance(seconds(20))
    const old = await again(refreshed.refreshToken)
    expect(await fails(z.useCases.createResticToken({ appendOnly: false }, old))).to.deep.equal(stale)
    const fresh = await callerFor(z.useCases, who)
    await ok(z.useCases.createResticToken({ appendOnly: false }, fresh))
  })

  it('takes the window from the settings', async () => {
    const strict = await inMemoryZkeb({ settings: { ...defaultSettings, freshLoginSeconds: 60 } })
    const someone = await callerFor(strict.useCases, await register(strict.useCases))
    strict.clock.advance(seconds(61))
    const later = await ok(
      strict.useCases.authenticate(
        (await logIn(strict.useCases, await register(strict.useCases))).accessToken,
        ctx,
      ),
    )
    expect(await fails(strict.useCases.deleteAccount({ ...someone, requestId: 'x' }))).to.deep.equal(
      freshLoginRequired(60),
    )
    await ok(strict.useCases.createResticToken({ appendOnly: true }, later))
  })
})
