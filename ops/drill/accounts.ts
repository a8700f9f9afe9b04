/**
 * Users for the drill: OPAQUE registration and login through the load balancer, as a client does, giving
 * access tokens whose sessions live in Redis (so they stay valid whichever instance answers).
 * SECURITY: drill-only; key stretching is cheapened (the server cannot tell) and tokens never leave the process.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import * as opaque from '@serenity-kit/opaque'

const keyStretching = { 'argon2id-custom': { iterations: 1, memory: 64, parallelism: 1 } } as const
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url')

const post = async <T>(base: string, path: string, body: unknown): Promise<T> => {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`${path} answered ${res.status}`)
  return (await res.json()) as T
}

/** Registers a fresh user and logs in; resolves with the access token. */
export const aLoggedInUser = async (base: string): Promise<string> => {
  await opaque.ready
  const username = `drill-${randomUUID().slice(0, 8)}`
  const password = `pw-${randomUUID()}`
  const registration = opaque.client.startRegistration({ password })
  const { registrationResponse } = await post<{ registrationResponse: string }>(
    base,
    '/api/v1/accounts/registration/start',
    { username, registrationRequest: registration.registrationRequest },
  )
  const { registrationRecord } = opaque.client.finishRegistration({
    password,
    registrationResponse,
    clientRegistrationState: registration.clientRegistrationState,
    keyStretching,
  })
  const recoveryProof = randomBytes(32)
  await post(base, '/api/v1/accounts/registration/finish', {
    username,
    registrationRecord,
    keyBundle: { passwordWrappedUmk: b64(randomBytes(60)), recoveryWrappedUmk: b64(randomBytes(60)) },
    recoveryVerifier: b64(createHash('sha256').update(recoveryProof).digest()),
  })
  const login = opaque.client.startLogin({ password })
  const started = await post<{ loginId: string; loginResponse: string }>(base, '/api/v1/sessions/start', {
    username,
    startLoginRequest: login.startLoginRequest,
  })
  const finished = opaque.client.finishLogin({
    clientLoginState: login.clientLoginState,
    loginResponse: started.loginResponse,
    password,
    keyStretching,
  })
  if (finished === undefined) throw new Error('the server answered a login the client cannot finish')
  const { accessToken } = await post<{ accessToken: string }>(base, '/api/v1/sessions/finish', {
    loginId: started.loginId,
    finishLoginRequest: finished.finishLoginRequest,
  })
  return accessToken
}
