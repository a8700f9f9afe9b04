/**
 * Token attacks over real PostgreSQL, with sessions in process memory and in Redis: replay after logout and
 * revocation, refresh-token reuse, forged and confused JWTs (`none`, other algorithms, the secret as an
 * RSA/EC key, header tricks), lifetimes out of range, and a login id spent twice.
 */
import { createHmac, randomUUID } from 'node:crypto'
import * as opaque from '@serenity-kit/opaque'
import { expect } from 'chai'
import { aDeviceKey } from '../support/test-client'
import { redisAvailable, redisUrl } from '../support/redis'
import {
  addDeviceOverHttp,
  aUserWithDevice,
  basicAuth,
  changePasswordOverHttp,
  expectError,
  jsonOf,
  logInOverHttp,
  recoverOverHttp,
  registerOverHttp,
  resticTokenOverHttp,
} from '../adapters/http/http-test-kit'
import { startTarget, type Target } from './attack-kit'

const b64 = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

/** A compact JWS with any header, signed (or not) by `sign` over the signing input. */
const forge = (
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  sign: (input: string) => string = () => '',
): string => {
  const input = `${b64(header)}.${b64(payload)}`
  return `${input}.${sign(input)}`
}

const hmac =
  (algorithm: 'sha256' | 'sha384' | 'sha512', key: string | Buffer) =>
  (input: string): string =>
    createHmac(algorithm, key).update(input).digest('base64url')

const now = (): number => Math.floor(Date.now() / 1000)

/** The claims of a genuine token (decoded, not verified): what forgeries copy. */
const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>

const keyStretching = { 'argon2id-custom': { iterations: 1, memory: 64, parallelism: 1 } } as const

const stores = [
  { name: 'memory', env: () => Promise.resolve({}) },
  { name: 'redis', env: async () => ({ STORE: 'redis', REDIS_URL: await redisUrl() }) },
] as const

for (const store of stores)
  describe(`attacks: tokens and sessions (PostgreSQL, STORE=${store.name})`, function () {
    this.timeout(60_000)
    let target: Target

    before(async function () {
      if (store.name === 'redis' && !redisAvailable()) {
        if (process.env['CI'])
          throw new Error('redis-server not found: CI never skips the Redis attack suite')
        this.skip()
      }
      target = await startTarget({ env: await store.env() })
    })
    after(() => target?.close())

    const expect401 = async (token: string, path = '/api/v1/account') =>
      expectError(await target.call('GET', path, { token }), 401, 'unauthenticated', [token])

    it('refuses the access token and the refresh token after logout', async () => {
      const account = await registerOverHttp(target)
      const session = await logInOverHttp(target, account)
      expect((await target.call('GET', '/api/v1/account', { token: session.accessToken })).status).to.equal(
        200,
      )
      const out = await target.call('DELETE', '/api/v1/sessions/current', { token: session.accessToken })
      expect(out.status).to.equal(204)
      await expect401(session.accessToken)
      const refreshed = await target.call('POST', '/api/v1/sessions/refresh', {
        json: { refreshToken: session.refreshToken },
      })
      expect(refreshed.status).to.equal(401)
      expect(await refreshed.text()).not.to.include(session.refreshToken)
      // Logging out twice is no way back in either.
      expect(
        (await target.call('DELETE', '/api/v1/sessions/current', { token: session.accessToken })).status,
      ).to.equal(401)
    })

    it('ends the sessions of a revoked device at once, access and refresh alike', async () => {
      const user = await aUserWithDevice(target)
      const onDevice = await logInOverHttp(target, user.account, user.device.deviceId)
      const revoke = await target.call('DELETE', `/api/v1/devices/${user.device.deviceId}`, {
        token: user.token,
      })
      expect(revoke.status).to.equal(204)
      await expect401(onDevice.accessToken)
      const refreshed = await target.call('POST', '/api/v1/sessions/refresh', {
        json: { refreshToken: onDevice.refreshToken },
      })
      expect(refreshed.status).to.equal(401)
      expect((await target.call('GET', '/api/v1/account', { token: user.token })).status).to.equal(200)
    })

    it('revokes the whole family when a rotated refresh token comes back, even concurrently', async () => {
      const account = await registerOverHttp(target)
      const first = await logInOverHttp(target, account)
      const refresh = (refreshToken: string) =>
        target.call('POST', '/api/v1/sessions/refresh', { json: { refreshToken } })
      // Two racing rotations of one token: exactly one wins, the other counts as a reuse.
      const raced = await Promise.all([refresh(first.refreshToken), refresh(first.refreshToken)])
      expect(raced.map((r) => r.status).sort()).to.deep.equal([200, 401])
      const winner = raced.find((r) => r.status === 200)
      const second =
        winner === undefined ? undefined : await jsonOf<{ accessToken: string; refreshToken: string }>(winner)
      const losers = await Promise.all(
        raced
          .filter((r) => r !== winner)
          .map(async (r) => (await jsonOf<{ error: { code: string } }>(r)).error.code),
      )
      expect(losers).to.deep.equal(['refresh-token-reused'])
      // The family is gone: the token is now simply unknown.
      await expectError(await refresh(first.refreshToken), 401, 'invalid-refresh-token', [first.refreshToken])
      await expect401(first.accessToken)
      if (second !== undefined) {
        await expect401(second.accessToken)
        expect((await refresh(second.refreshToken)).status).to.equal(401)
      }
    })

    it('refuses unsigned, re-signed and algorithm-confused access tokens', async () => {
      const account = await registerOverHttp(target)
      const genuine = (await logInOverHttp(target, account)).accessToken
      const claims = claimsOf(genuine)
      const secret = target.tokenSecret
      const forgeries: Record<string, string> = {
        'alg none': forge({ alg: 'none', typ: 'JWT' }, claims),
        'alg None': forge({ alg: 'None' }, claims),
        'alg none with the genuine signature': `${b64({ alg: 'none' })}.${b64(claims)}.${genuine.split('.')[2]}`,
        'no alg': forge({ typ: 'JWT' }, claims, hmac('sha256', secret)),
        'HS256 with a guessed key': forge({ alg: 'HS256' }, claims, hmac('sha256', 'secret')),
        'HS256 with an empty key': forge({ alg: 'HS256' }, claims, hmac('sha256', '')),
        'HS384 with the real secret': forge({ alg: 'HS384' }, claims, hmac('sha384', secret)),
        'HS512 with the real secret': forge({ alg: 'HS512' }, claims, hmac('sha512', secret)),
        'RS256 with the secret as HMAC key': forge({ alg: 'RS256' }, claims, hmac('sha256', secret)),
        'ES256 with the secret as HMAC key': forge({ alg: 'ES256' }, claims, hmac('sha256', secret)),
        'PS256 with the secret as HMAC key': forge({ alg: 'PS256' }, claims, hmac('sha256', secret)),
        'EdDSA with the secret as HMAC key': forge({ alg: 'EdDSA' }, claims, hmac('sha256', secret)),
        'lower-case hs256': forge({ alg: 'hs256' }, claims, hmac('sha256', secret)),
        'embedded jwk of the attacker': forge(
          { alg: 'HS256', jwk: { kty: 'oct', k: b64('attacker-key') } },
          claims,
          hmac('sha256', 'attacker-key'),
        ),
        'jku pointing away': forge(
          { alg: 'HS256', jku: 'http://127.0.0.1:1/jwks.json' },
          claims,
          hmac('sha256', 'x'),
        ),
        'kid path traversal with an empty key': forge(
          { alg: 'HS256', kid: '../../../../dev/null' },
          claims,
          hmac('sha256', ''),
        ),
        'kid SQL injection': forge({ alg: 'HS256', kid: "' union select 'k" }, claims, hmac('sha256', 'k')),
        'unknown crit extension': forge(
          { alg: 'HS256', crit: ['exp'], exp: 1 },
          claims,
          hmac('sha256', secret),
        ),
        'payload swapped under the genuine signature': `${genuine.split('.')[0]}.${b64({ ...claims, sub: randomUUID() })}.${genuine.split('.')[2]}`,
        'JWE-shaped five parts': `${b64({ alg: 'dir', enc: 'A256GCM' })}....`,
        'trailing dot': `${genuine}.`,
        'signature stripped': genuine.split('.').slice(0, 2).join('.') + '.',
      }
      for (const [name, token] of Object.entries(forgeries)) {
        const res = await target.call('GET', '/api/v1/account', { token })
        expect(res.status, name).to.equal(401)
        expect(await res.text(), name).not.to.include(token)
      }
      expect((await target.call('GET', '/api/v1/account', { token: genuine })).status).to.equal(200)
    })

    it('refuses well-signed tokens that are expired, future-dated, for another account or without a session', async () => {
      const alice = await registerOverHttp(target)
      const bob = await registerOverHttp(target)
      const aliceToken = (await logInOverHttp(target, alice)).accessToken
      const claims = claimsOf(aliceToken)
      const sign = (payload: Record<string, unknown>) =>
        forge({ alg: 'HS256', typ: 'JWT' }, payload, hmac('sha256', target.tokenSecret))
      expect((await target.call('GET', '/api/v1/account', { token: sign(claims) })).status).to.equal(200) // the oracle
      const t = now()
      const cases: Record<string, Record<string, unknown>> = {
        'expired a minute ago': { ...claims, iat: t - 960, exp: t - 60 },
        'issued an hour in the future': { ...claims, iat: t + 3600, exp: t + 4500 },
        'not valid before an hour from now': { ...claims, nbf: t + 3600 },
        'older than the token lifetime': { ...claims, iat: t - 7200, exp: t + 60 },
        'without exp': Object.fromEntries(Object.entries(claims).filter(([k]) => k !== 'exp')),
        'without iat': Object.fromEntries(Object.entries(claims).filter(([k]) => k !== 'iat')),
        'another issuer': { ...claims, iss: 'someone-else' },
        'another audience': { ...claims, aud: 'someone-else' },
        'bob as subject with alice’s session': { ...claims, sub: bob.accountId },
        'a session that never existed': { ...claims, sid: randomUUID() },
        'a malformed subject': { ...claims, sub: '../admin' },
      }
      for (const [name, payload] of Object.entries(cases)) {
        const res = await target.call('GET', '/api/v1/account', { token: sign(payload) })
        expect(res.status, name).to.equal(401)
        await res.arrayBuffer()
      }
    })

    it('takes a token only from the Authorization header, in the Bearer scheme', async () => {
      const account = await registerOverHttp(target)
      const token = (await logInOverHttp(target, account)).accessToken
      const attempts: Array<[string, Record<string, string>, string]> = [
        ['query string', {}, `?access_token=${token}`],
        ['cookie', { Cookie: `accessToken=${token}` }, ''],
        ['Basic scheme', { Authorization: `Basic ${token}` }, ''],
        ['no scheme', { Authorization: token }, ''],
        ['Bearer twice', { Authorization: `Bearer Bearer ${token}` }, ''],
        ['two tokens', { Authorization: `Bearer ${token} ${token}` }, ''],
        ['X-Access-Token', { 'X-Access-Token': token }, ''],
      ]
      for (const [name, headers, query] of attempts) {
        const res = await target.call('GET', `/api/v1/account${query}`, { headers })
        expect(res.status, name).to.equal(401)
        await res.arrayBuffer()
      }
    })

    it('spends a login id once: a replay, a race and another user’s id all fail', async () => {
      await opaque.ready
      const alice = await registerOverHttp(target)
      const start = async (who: { username: string; password: string }) => {
        const { clientLoginState, startLoginRequest } = opaque.client.startLogin({ password: who.password })
        const started = await jsonOf<{ loginId: string; loginResponse: string }>(
          await target.call('POST', '/api/v1/sessions/start', {
            json: { username: who.username, startLoginRequest },
          }),
        )
        const finished = opaque.client.finishLogin({
          clientLoginState,
          loginResponse: started.loginResponse,
          password: who.password,
          keyStretching,
        })
        return { loginId: started.loginId, finishLoginRequest: finished?.finishLoginRequest ?? '' }
      }
      const finish = (json: { loginId: string; finishLoginRequest: string }) =>
        target.call('POST', '/api/v1/sessions/finish', { json })

      const once = await start(alice)
      expect((await finish(once)).status).to.equal(200)
      await expectError(await finish(once), 401, 'invalid-credentials', [once.loginId])

      const raced = await start(alice)
      const results = await Promise.all([finish(raced), finish(raced), finish(raced)])
      expect(results.map((r) => r.status).sort()).to.deep.equal([200, 401, 401])
      await Promise.all(results.map((r) => r.arrayBuffer()))

      // Bob's login id with Alice's proof, and Alice's login id with Bob's proof.
      const bob = await registerOverHttp(target)
      const [forAlice, forBob] = [await start(alice), await start(bob)]
      await expectError(
        await finish({ loginId: forBob.loginId, finishLoginRequest: forAlice.finishLoginRequest }),
        401,
        'invalid-credentials',
      )
      // The failed finish spent Bob's id too.
      await expectError(await finish(forBob), 401, 'invalid-credentials')
      expect((await finish(forAlice)).status).to.equal(200)
    })

    it('ends every session but the caller’s on a password change', async () => {
      const user = await aUserWithDevice(target)
      const other = await logInOverHttp(target, user.account)
      await addDeviceOverHttp(target, other.accessToken, aDeviceKey())
      await opaque.ready
      const password = `new-${randomUUID()}`
      const { clientRegistrationState, registrationRequest } = opaque.client.startRegistration({ password })
      const { registrationResponse } = await jsonOf<{ registrationResponse: string }>(
        await target.call('POST', '/api/v1/account/password/start', {
          token: user.token,
          json: { registrationRequest },
        }),
      )
      const { registrationRecord } = opaque.client.finishRegistration({
        password,
        registrationResponse,
        clientRegistrationState,
        keyStretching,
      })
      const account = await jsonOf<{ keyBundleVersion: number }>(
        await target.call('GET', '/api/v1/account', { token: user.token }),
      )
      const changed = await target.call('POST', '/api/v1/account/password/finish', {
        token: user.token,
        json: { expectedVersion: account.keyBundleVersion, registrationRecord, passwordWrappedUmk: 'AAAA' },
      })
      expect(changed.status).to.equal(200)
      await expect401(other.accessToken)
      expect(
        (
          await target.call('POST', '/api/v1/sessions/refresh', {
            json: { refreshToken: other.refreshToken },
          })
        ).status,
      ).to.equal(401)
      expect((await target.call('GET', '/api/v1/account', { token: user.token })).status).to.equal(200)
    })

    /** What a stolen restic token can still do: read a listing and delete an object. */
    const resticReach = async (username: string, secret: string): Promise<number[]> => {
      const auth = { Authorization: basicAuth(username, secret) }
      const list = await fetch(`${target.base}/restic/laptop/keys/`, { headers: auth })
      const del = await fetch(`${target.base}/restic/laptop/keys/${'0'.repeat(64)}`, {
        method: 'DELETE',
        headers: auth,
      })
      return [list.status, del.status]
    }

    it('ends a restic token made by a second (phished) session when the account is recovered', async () => {
      const victim = await aUserWithDevice(target)
      const phished = await logInOverHttp(target, victim.account)
      const stolen = await resticTokenOverHttp(target, phished.accessToken)
      const own = await resticTokenOverHttp(target, victim.token)
      expect(await resticReach(victim.account.username, stolen.token)).to.deep.equal([200, 200])
      const recovered = await recoverOverHttp(target, victim.account, `recovered-${randomUUID()}`)
      expect(recovered.status).to.equal(200)
      expect(await resticReach(victim.account.username, stolen.token)).to.deep.equal([401, 401])
      expect(await resticReach(victim.account.username, own.token)).to.deep.equal([401, 401])
    })

    it('ends the restic tokens of other sessions and devices on a password change, not the caller’s', async () => {
      const victim = await aUserWithDevice(target)
      const phished = await logInOverHttp(target, victim.account)
      const stolen = await resticTokenOverHttp(target, phished.accessToken)
      const onDevice = await logInOverHttp(target, victim.account, victim.device.deviceId)
      const deviceToken = await resticTokenOverHttp(target, onDevice.accessToken)
      const own = await resticTokenOverHttp(target, victim.token)
      const changed = await changePasswordOverHttp(target, victim.token, `new-${randomUUID()}`)
      expect(changed.status).to.equal(200)
      expect(await resticReach(victim.account.username, stolen.token)).to.deep.equal([401, 401])
      expect(await resticReach(victim.account.username, deviceToken.token)).to.deep.equal([401, 401])
      expect(await resticReach(victim.account.username, own.token)).to.deep.equal([200, 200])
      const listed = await jsonOf<{ items: Array<{ tokenId: string }> }>(
        await target.call('GET', '/api/v1/restic-tokens', { token: victim.token }),
      )
      expect(listed.items.map((t) => t.tokenId)).to.deep.equal([own.tokenId])
    })
  })
