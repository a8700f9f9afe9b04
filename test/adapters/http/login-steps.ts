/** A whole OPAQUE login over HTTP that returns the finish answer as it is, optionally with a second factor. */
import { randomBytes } from 'node:crypto'
import * as opaque from '@serenity-kit/opaque'
import { expect } from 'chai'
import { type HttpAccount, type HttpCaller, jsonOf } from './http-test-kit'

export type SecondFactorProof = Readonly<{ kind: 'totp' | 'recovery-code'; code: string }>

/** As http-test-kit registers its accounts. */
const keyStretching = { 'argon2id-custom': { iterations: 1, memory: 64, parallelism: 1 } } as const

/**
 * Starts and finishes a login. A wrong password is finished with bogus bytes (the client's OPAQUE step already
 * knows it is wrong), as an attacker would send.
 */
export const finishLogin = async (
  server: HttpCaller,
  who: Pick<HttpAccount, 'username' | 'password'>,
  secondFactor?: SecondFactorProof,
): Promise<Response> => {
  await opaque.ready
  const { clientLoginState, startLoginRequest } = opaque.client.startLogin({ password: who.password })
  const started = await server.call('POST', '/api/v1/sessions/start', {
    json: { username: who.username, startLoginRequest },
  })
  expect(started.status).to.equal(200)
  const { loginId, loginResponse } = await jsonOf<{ loginId: string; loginResponse: string }>(started)
  const finished = opaque.client.finishLogin({
    clientLoginState,
    loginResponse,
    password: who.password,
    keyStretching,
  })
  return server.call('POST', '/api/v1/sessions/finish', {
    json: {
      loginId,
      finishLoginRequest: finished?.finishLoginRequest ?? randomBytes(64).toString('base64url'),
      ...(secondFactor === undefined ? {} : { secondFactor }),
    },
  })
}
