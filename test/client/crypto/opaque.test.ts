import * as opaque from '@serenity-kit/opaque'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import {
  finishLogin,
  finishRegistration,
  generateUmk,
  KeyStretching,
  startLogin,
  startRegistration,
  unwrapUmkWithPassword,
  wrapUmkWithPassword,
} from '../../../client/crypto'

/** Cheap Argon2id so the suite stays fast; production pins DEFAULT_KEY_STRETCHING. */
const keyStretching: KeyStretching = { 'argon2id-custom': { memory: 64, iterations: 1, parallelism: 1 } }
const username = 'alice@example.org'

const register = async (serverSetup: string, password: string) => {
  const start = await startRegistration(password)
  const { registrationResponse } = opaque.server.createRegistrationResponse({
    serverSetup,
    userIdentifier: username,
    registrationRequest: start.registrationRequest,
  })
  const finish = await finishRegistration({
    state: start.state,
    password,
    registrationResponse,
    keyStretching,
  })
  if (E.isLeft(finish)) return expect.fail('registration failed')
  return finish.right
}

const login = async (serverSetup: string, registrationRecord: string, password: string) => {
  const start = await startLogin(password)
  const server = opaque.server.startLogin({
    serverSetup,
    userIdentifier: username,
    registrationRecord,
    startLoginRequest: start.startLoginRequest,
  })
  const result = await finishLogin({
    state: start.state,
    password,
    loginResponse: server.loginResponse,
    keyStretching,
  })
  return { result, serverLoginState: server.serverLoginState }
}

describe('OPAQUE client', () => {
  let serverSetup: string
  before(async () => {
    await opaque.ready
    serverSetup = opaque.server.createSetup()
  })

  it('logs in with the registered password to the same export key, which unwraps the UMK', async () => {
    const registration = await register(serverSetup, 'correct horse battery staple')
    expect(registration.exportKey.length).to.equal(64)
    const umk = generateUmk()
    const wrapped = await wrapUmkWithPassword(umk, registration.exportKey)
    const { result, serverLoginState } = await login(
      serverSetup,
      registration.registrationRecord,
      'correct horse battery staple',
    )
    if (E.isLeft(result)) return expect.fail('login failed')
    expect(result.right.exportKey).to.deep.equal(registration.exportKey)
    expect(() =>
      opaque.server.finishLogin({ serverLoginState, finishLoginRequest: result.right.finishLoginRequest }),
    ).not.to.throw()
    expect(await unwrapUmkWithPassword(wrapped, result.right.exportKey)).to.deep.equal(E.right(umk))
  })

  it('fails a login with the wrong password as LoginFailed', async () => {
    const registration = await register(serverSetup, 'right password')
    const { result } = await login(serverSetup, registration.registrationRecord, 'wrong password')
    expect(result).to.deep.equal(E.left({ _tag: 'LoginFailed' }))
  })

  it('reports a garbled server message as a protocol error, not a crash', async () => {
    const start = await startRegistration('pw')
    const finish = await finishRegistration({
      state: start.state,
      password: 'pw',
      registrationResponse: 'AAAA',
      keyStretching,
    })
    expect(finish).to.deep.equal(E.left({ _tag: 'OpaqueProtocolError', step: 'registration' }))
    const login = await startLogin('pw')
    const result = await finishLogin({
      state: login.state,
      password: 'pw',
      loginResponse: 'AAAA',
      keyStretching,
    })
    expect(result).to.deep.equal(E.left({ _tag: 'OpaqueProtocolError', step: 'login' }))
  })
})
