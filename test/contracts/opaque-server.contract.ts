/**
 * The OpaqueServer contract, run against the adapter that computes on the calling thread and the worker pool:
 * a real OPAQUE client (`@serenity-kit/opaque`) registers and logs in against it.
 */
import * as opaque from '@serenity-kit/opaque'
import { expect } from 'chai'
import type { OpaqueServer } from '../../application/ports/opaque-server'
import type { OpaqueRecord } from '../../domain/account'
import { left, right } from './harness'

export type OpaqueServerHarness = Readonly<{ server: OpaqueServer; close: () => Promise<void> }>

/** Cheap key stretching: the contract is about the server's answers, not the client's password hashing. */
const keyStretching = { 'argon2id-custom': { iterations: 1, memory: 64, parallelism: 1 } } as const

export const opaqueServerContract = (name: string, setUp: () => Promise<OpaqueServerHarness>): Mocha.Suite =>
  describe(`OpaqueServer contract (${name})`, () => {
    let h: OpaqueServerHarness
    before(async () => {
      await opaque.ready
      h = await setUp()
    })
    after(() => h.close())

    const register = async (username: string, password: string): Promise<OpaqueRecord> => {
      const { clientRegistrationState, registrationRequest } = opaque.client.startRegistration({ password })
      const registrationResponse = await right(h.server.registrationResponse(username, registrationRequest))
      return opaque.client.finishRegistration({
        clientRegistrationState,
        registrationResponse,
        password,
        keyStretching,
      }).registrationRecord as OpaqueRecord
    }

    /** Starts a login with `password`; the finish message is undefined when the client refuses the server. */
    const logIn = async (username: string, record: OpaqueRecord | null, password: string) => {
      const { clientLoginState, startLoginRequest } = opaque.client.startLogin({ password })
      const started = await right(h.server.startLogin(username, record, startLoginRequest))
      const finished = opaque.client.finishLogin({
        clientLoginState,
        loginResponse: started.loginResponse,
        password,
        keyStretching,
      })
      return { started, finishLoginRequest: finished?.finishLoginRequest }
    }

    it('registers and logs in with the right password, the username in any case', async () => {
      const record = await register('Alice', 'right password')
      const { started, finishLoginRequest } = await logIn('alice', record, 'right password')
      expect(finishLoginRequest).to.be.a('string')
      await right(h.server.finishLogin(started.serverLoginState, finishLoginRequest!))
    })

    it('refuses a wrong password as InvalidCredentials', async () => {
      const record = await register('bob', 'right password')
      const { started } = await logIn('bob', record, 'wrong password')
      // The client notices first; a forged finish message is what a server then sees.
      const { finishLoginRequest: other } = await logIn('bob', record, 'right password')
      expect((await left(h.server.finishLogin(started.serverLoginState, other!)))._tag).to.equal(
        'InvalidCredentials',
      )
    })

    it('answers an unknown username with a response of the same shape, and that login cannot finish', async () => {
      const record = await register('carol', 'pw')
      const real = await logIn('carol', record, 'pw')
      const fake = await logIn('nobody', null, 'pw')
      expect(fake.started.loginResponse.length).to.equal(real.started.loginResponse.length)
      expect(fake.finishLoginRequest).to.equal(undefined)
    })

    it('names the field of a malformed message, and never throws', async () => {
      expect(await left(h.server.registrationResponse('dave', 'not-a-message'))).to.deep.equal({
        _tag: 'InvalidProtocolMessage',
        path: 'registrationRequest',
      })
      expect(await left(h.server.startLogin('dave', null, 'not-a-message'))).to.deep.equal({
        _tag: 'InvalidProtocolMessage',
        path: 'startLoginRequest',
      })
      const record = await register('dave', 'pw')
      const { started } = await logIn('dave', record, 'pw')
      expect((await left(h.server.finishLogin(started.serverLoginState, 'garbage')))._tag).to.equal(
        'InvalidCredentials',
      )
    })
  })
