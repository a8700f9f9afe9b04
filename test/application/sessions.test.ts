import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import sinon from 'sinon'
import * as TE from 'fp-ts/TaskEither'
import { unavailable } from '../../application/errors'
import { defaultSettings } from '../../application/settings'
import type { OpaqueMessage } from '../../application/shared'
import {
  deviceRevoked,
  invalidCredentials,
  invalidProtocolMessage,
  invalidRefreshToken,
  refreshTokenReused,
  unauthenticated,
  usernameTaken,
} from '../../domain/errors'
import { disableAccount } from '../../domain/account'
import type { BearerSecret } from '../../domain/ids'
import type { Session } from '../../application/ports/session-store'
import { aDeviceId, anAccountId, aSecret } from '../support/builders'
import { seconds } from '../support/controllable-clock'
import { type InMemoryZkeb, inMemoryZkeb } from '../support/in-memory-zkeb'
import {
  aBogusFinishLoginRequest,
  addDevice,
  aRandomKeyBundle,
  aUsername,
  callerFor,
  fails,
  logIn,
  ok,
  type Registered,
  register,
  startLogin,
} from '../support/test-client'

const ctx = { requestId: 'req-test' }

describe('registration and sessions', () => {
  let z: InMemoryZkeb
  let alice: Registered

  before(async () => {
    z = await inMemoryZkeb()
    alice = await register(z.useCases)
  })
  afterEach(() => sinon.restore())

  describe('registration', () => {
    it('refuses a malformed OPAQUE registration request by naming the field', async () => {
      const request = 'AAAA' as OpaqueMessage
      expect(
        await fails(
          z.useCases.startRegistration({ username: aUsername(), registrationRequest: request }, ctx),
        ),
      ).to.deep.equal(invalidProtocolMessage('registrationRequest'))
    })

    it('refuses a username already taken, whatever its letter case', async () => {
      const upper = alice.username.toUpperCase() as Registered['username']
      const error = await register(z.useCases, upper).catch((e: Error) => e.cause)
      expect(error).to.deep.equal(usernameTaken)
    })

    it('starts the account at key bundle version 1 with the default quota and nothing used', async () => {
      const caller = await callerFor(z.useCases, alice)
      const view = await ok(z.useCases.getAccount(caller))
      expect(view).to.deep.include({
        accountId: alice.accountId,
        username: alice.username,
        keyBundleVersion: 1,
      })
      expect(view.keyBundle).to.deep.equal(alice.keyBundle)
      expect(view.quota).to.deep.equal({ limitBytes: z.ports.settings.defaultQuotaBytes, usedBytes: 0 })
    })
  })

  describe('login', () => {
    it('opens a session whose access token authenticates the account', async () => {
      const tokens = await logIn(z.useCases, alice)
      expect(tokens.accountId).to.equal(alice.accountId)
      expect(tokens.expiresIn).to.equal(15 * 60)
      const caller = await ok(z.useCases.authenticate(tokens.accessToken, ctx))
      expect(caller).to.deep.include({ accountId: alice.accountId, deviceId: null, requestId: ctx.requestId })
    })

    it('stores only a digest of the refresh token', async () => {
      const create = sinon.spy(z.ports.sessions, 'create')
      const { refreshToken } = await logIn(z.useCases, alice)
      expect(create.firstCall.args[1]).to.equal(
        z.ports.hasher.sha256Hex(new TextEncoder().encode(refreshToken)),
      )
    })

    /** A finish with a proof no password made: what a wrong password (or a guesser) sends. */
    const failLogin = async (who: Registered, requestId = ctx.requestId, settle = true) => {
      const { loginId } = await startLogin(z.useCases, who.username, who.password)
      const finish = { loginId, finishLoginRequest: aBogusFinishLoginRequest() as OpaqueMessage }
      const refused = await fails(z.useCases.finishLogin(finish, { requestId }))
      if (settle) await z.ports.background.settled()
      return refused
    }
    const failedLogins = async (who: Registered) => {
      await z.ports.background.settled()
      const audit = await ok(z.ports.audit.list(who.accountId, { limit: 1000, cursor: O.none }))
      return audit.filter((e) => e.type === 'login-failed')
    }

    it('refuses a wrong password as invalid credentials and records login-failed', async () => {
      expect(await failLogin(alice)).to.deep.equal(invalidCredentials)
      const caller = await callerFor(z.useCases, alice)
      await z.ports.background.settled()
      const types = (await ok(z.useCases.listAudit({ limit: 200 } as never, caller))).items.map((e) => e.type)
      expect(types).to.include('login-failed')
    })

    it('records login-failed at most once per account every 15 minutes: the first failure of the window', async () => {
      const carol = await register(z.useCases)
      const window = defaultSettings.failedLoginEventSeconds
      expect(window).to.equal(15 * 60)
      for (let i = 0; i < 12; i++) {
        expect(await failLogin(carol, `guess-${i}`)).to.deep.equal(invalidCredentials)
        z.clock.advance(seconds(10))
      }
      const first = await failedLogins(carol)
      expect(first.map((e) => e.requestId)).to.deep.equal(['guess-0'])
      z.clock.advance(seconds(window))
      await failLogin(carol, 'later')
      expect((await failedLogins(carol)).map((e) => e.requestId)).to.deep.equal(['guess-0', 'later'])
      // Another account's window is its own.
      const bob = await register(z.useCases)
      await failLogin(bob, 'bob')
      expect((await failedLogins(bob)).map((e) => e.requestId)).to.deep.equal(['bob'])
    })

    it('answers a failed login before its event is written: the write is off the answer’s path', async () => {
      const carol = await register(z.useCases)
      let release: () => void = () => undefined
      const written = new Promise<void>((resolve) => (release = resolve))
      const append = z.ports.audit.append.bind(z.ports.audit)
      sinon.stub(z.ports.audit, 'append').callsFake((draft, at) => async () => {
        await written
        return append(draft, at)()
      })
      expect(await failLogin(carol, ctx.requestId, false)).to.deep.equal(invalidCredentials)
      release()
      sinon.restore()
      expect(await failedLogins(carol)).to.have.length(1)
    })

    it('still records the failure when the limiter that coalesces events cannot answer', async () => {
      const carol = await register(z.useCases)
      sinon.stub(z.ports.limiter, 'consume').returns(TE.left(unavailable('redis')(new Error('down'))))
      await failLogin(carol)
      sinon.restore()
      expect(await failedLogins(carol)).to.have.length(1)
    })

    it('refuses an account disabled between start and finish exactly like a wrong password', async () => {
      const bob = await register(z.useCases)
      const wrong = await startLogin(z.useCases, bob.username, alice.password) // bob's account, wrong password
      const right = await startLogin(z.useCases, bob.username, bob.password)
      const account = await ok(z.ports.accounts.findById(bob.accountId))
      if (O.isNone(account)) throw new Error('bob was registered')
      await ok(
        z.ports.accounts.save(disableAccount(account.value, z.clock.now()), account.value.keyBundleVersion),
      )
      const finish = (login: typeof right) =>
        z.useCases.finishLogin(
          {
            loginId: login.loginId,
            finishLoginRequest: (login.finishLoginRequest ?? aBogusFinishLoginRequest()) as OpaqueMessage,
          },
          ctx,
        )()
      const [disabled, wrongPassword] = [await finish(right), await finish(wrong)]
      expect(disabled).to.deep.equal(E.left(invalidCredentials))
      expect(disabled).to.deep.equal(wrongPassword)
      await z.ports.background.settled()
      const audit = await ok(z.ports.audit.list(bob.accountId, { limit: 100, cursor: O.none }))
      const events = audit.map((e) => e.type)
      // Two failures in one window: one event (see the coalescing test).
      expect(events.filter((t) => t === 'login-failed')).to.have.length(1)
      expect(events).not.to.include('login')
    })

    it('answers an unknown username with a login that can only fail', async () => {
      const { loginId, loginResponse, finishLoginRequest } = await startLogin(z.useCases, aUsername(), 'pw')
      expect(loginResponse).to.be.a('string').with.length.greaterThan(100)
      expect(finishLoginRequest).to.equal(undefined)
      const error = await fails(
        z.useCases.finishLogin(
          { loginId, finishLoginRequest: aBogusFinishLoginRequest() as OpaqueMessage },
          ctx,
        ),
      )
      expect(error).to.deep.equal(invalidCredentials)
    })

    it('accepts a loginId only once', async () => {
      const { loginId, finishLoginRequest } = await startLogin(z.useCases, alice.username, alice.password)
      const input = { loginId, finishLoginRequest: finishLoginRequest as OpaqueMessage }
      await ok(z.useCases.finishLogin(input, ctx))
      expect(await fails(z.useCases.finishLogin(input, ctx))).to.deep.equal(invalidCredentials)
    })

    it('refuses a loginId older than 60 seconds', async () => {
      const { loginId, finishLoginRequest } = await startLogin(z.useCases, alice.username, alice.password)
      z.clock.advance(seconds(61))
      expect(
        await fails(
          z.useCases.finishLogin({ loginId, finishLoginRequest: finishLoginRequest as OpaqueMessage }, ctx),
        ),
      ).to.deep.equal(invalidCredentials)
    })

    it('binds the session to an active device of the account', async () => {
      const { device } = await addDevice(z.useCases, await callerFor(z.useCases, alice))
      const caller = await callerFor(z.useCases, alice, device.deviceId)
      expect(caller.deviceId).to.equal(device.deviceId)
    })

    it("refuses a device that is unknown or another account's as invalid credentials", async () => {
      const bob = await register(z.useCases)
      const { device } = await addDevice(z.useCases, await callerFor(z.useCases, bob))
      for (const deviceId of [aDeviceId(), device.deviceId]) {
        const error = await logIn(z.useCases, alice, deviceId).catch((e: Error) => e.cause)
        expect(error).to.deep.equal(invalidCredentials)
      }
    })

    it('refuses a revoked device as revoked', async () => {
      const caller = await callerFor(z.useCases, alice)
      const { device } = await addDevice(z.useCases, caller)
      await ok(z.useCases.revokeDevice({ deviceId: device.deviceId }, caller))
      const error = await logIn(z.useCases, alice, device.deviceId).catch((e: Error) => e.cause)
      expect(error).to.deep.equal(deviceRevoked(device.deviceId))
    })

    it('reports a session store failure as Unavailable', async () => {
      const down = unavailable('redis')(new Error('down'))
      sinon.stub(z.ports.sessions, 'create').returns(TE.left(down))
      const error = await logIn(z.useCases, alice).catch((e: Error) => e.cause)
      expect(error).to.deep.equal(down)
    })
  })

  describe('refresh, authenticate and logout', () => {
    it('rotates the refresh token and issues a working access token', async () => {
      const first = await logIn(z.useCases, alice)
      const next = await ok(
        z.useCases.refreshSession({ refreshToken: first.refreshToken as BearerSecret }, ctx),
      )
      expect(next.refreshToken).to.not.equal(first.refreshToken)
      expect((await ok(z.useCases.authenticate(next.accessToken, ctx))).accountId).to.equal(alice.accountId)
    })

    it('revokes the whole family when a used refresh token comes back', async () => {
      const first = await logIn(z.useCases, alice)
      const used = { refreshToken: first.refreshToken as BearerSecret }
      const next = await ok(z.useCases.refreshSession(used, ctx))
      expect(await fails(z.useCases.refreshSession(used, ctx))).to.deep.equal(refreshTokenReused)
      expect(await fails(z.useCases.authenticate(next.accessToken, ctx))).to.deep.equal(unauthenticated)
      const again = { refreshToken: next.refreshToken as BearerSecret }
      expect(await fails(z.useCases.refreshSession(again, ctx))).to.deep.equal(invalidRefreshToken)
    })

    it('refuses a refresh token it never issued', async () => {
      const unknown = { refreshToken: aSecret() as BearerSecret }
      expect(await fails(z.useCases.refreshSession(unknown, ctx))).to.deep.equal(invalidRefreshToken)
    })

    it('refuses a garbage or expired access token', async () => {
      expect(await fails(z.useCases.authenticate('not-a-token', ctx))).to.deep.equal(unauthenticated)
      const { accessToken } = await logIn(z.useCases, alice)
      z.clock.advance(seconds(16 * 60))
      expect(await fails(z.useCases.authenticate(accessToken, ctx))).to.deep.equal(unauthenticated)
    })

    it('ends the session at once on logout and records it', async () => {
      const { accessToken } = await logIn(z.useCases, alice)
      const caller = await ok(z.useCases.authenticate(accessToken, ctx))
      await ok(z.useCases.logout(caller))
      expect(await fails(z.useCases.authenticate(accessToken, ctx))).to.deep.equal(unauthenticated)
      const other = await callerFor(z.useCases, alice)
      const events = (await ok(z.useCases.listAudit({ limit: 200 } as never, other))).items
      expect(events.some((e) => e.type === 'logout' && e.requestId === ctx.requestId)).to.equal(true)
    })

    it('refuses a live token whose session belongs to another account', async () => {
      const { accessToken } = await logIn(z.useCases, alice)
      const caller = await ok(z.useCases.authenticate(accessToken, ctx))
      const live = await ok(z.ports.sessions.findLive(caller.sessionId, z.clock.now()))
      sinon
        .stub(z.ports.sessions, 'findLive')
        .returns(TE.right(O.map((s: Session) => ({ ...s, accountId: anAccountId() }))(live)))
      expect(await fails(z.useCases.authenticate(accessToken, ctx))).to.deep.equal(unauthenticated)
    })

    it('runs the work alongside for the account the token names, and returns it with the caller', async () => {
      const { accessToken } = await logIn(z.useCases, alice)
      const seen: Array<string> = []
      const [caller, charged] = await ok(
        z.useCases.authenticateAlongside(accessToken, ctx, (accountId) => {
          seen.push(accountId)
          return TE.right('charged')
        }),
      )
      expect(caller.accountId).to.equal(alice.accountId)
      expect([seen, charged]).to.deep.equal([[alice.accountId], 'charged'])
    })

    it('reports a dead session before the work alongside fails, and never runs it for a bad token', async () => {
      const { accessToken } = await logIn(z.useCases, alice)
      await ok(z.useCases.logout(await ok(z.useCases.authenticate(accessToken, ctx))))
      const refused = () => TE.left('over the limit' as const)
      expect(await fails(z.useCases.authenticateAlongside(accessToken, ctx, refused))).to.deep.equal(
        unauthenticated,
      )
      const live = await logIn(z.useCases, alice)
      expect(await fails(z.useCases.authenticateAlongside(live.accessToken, ctx, refused))).to.equal(
        'over the limit',
      )
      const never = sinon.spy(() => TE.right(undefined))
      expect(await fails(z.useCases.authenticateAlongside('not-a-token', ctx, never))).to.deep.equal(
        unauthenticated,
      )
      expect(never.called).to.equal(false)
    })
  })

  it('keeps the key bundle opaque: what goes in comes back unchanged', async () => {
    const caller = await callerFor(z.useCases, await register(z.useCases))
    const keyBundle = aRandomKeyBundle()
    const { keyBundleVersion } = await ok(z.useCases.getAccount(caller))
    await ok(z.useCases.updateKeyBundle({ expectedVersion: keyBundleVersion, keyBundle } as never, caller))
    expect((await ok(z.useCases.getAccount(caller))).keyBundle).to.deep.equal(keyBundle)
  })
})
