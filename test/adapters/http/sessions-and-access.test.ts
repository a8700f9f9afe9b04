import { randomUUID } from 'node:crypto'
import { expect } from 'chai'
import * as opaque from '@serenity-kit/opaque'
import { aBogusFinishLoginRequest, anUpload } from '../../support/test-client'
import {
  aUserWithDevice,
  expectError,
  finishRegistrationOverHttp,
  jsonOf,
  opaqueRecordOverHttp,
  logInOverHttp,
  registerOverHttp,
  type TestServer,
  startTestServer,
  uploadOverHttp,
} from './http-test-kit'

describe('HTTP api-v1: sessions and access control', () => {
  let server: TestServer
  before(async () => {
    server = await startTestServer()
  })
  after(() => server.close())

  it('refuses a call without a Bearer token with 401 and a challenge', async () => {
    const res = await server.call('GET', '/api/v1/account')
    expect(res.headers.get('www-authenticate')).to.match(/^Bearer/)
    await expectError(res, 401, 'unauthenticated')
    await expectError(
      await server.call('GET', '/api/v1/account', { token: 'not-a-token' }),
      401,
      'unauthenticated',
    )
  })

  it('shows the account with its key bundle and quota', async () => {
    const account = await registerOverHttp(server)
    const { accessToken } = await logInOverHttp(server, account)
    const view = await jsonOf<Record<string, unknown>>(
      await server.call('GET', '/api/v1/account', { token: accessToken }),
    )
    expect(view).to.include({ accountId: account.accountId, username: account.username, keyBundleVersion: 1 })
    expect(view.quota).to.deep.equal({ limitBytes: 10 * 1024 ** 3, usedBytes: 0 })
  })

  it('answers a wrong password with 401 invalid-credentials', async () => {
    const account = await registerOverHttp(server)
    await opaque.ready
    const { startLoginRequest } = opaque.client.startLogin({ password: 'wrong' })
    const started = await server.call('POST', '/api/v1/sessions/start', {
      json: { username: account.username, startLoginRequest },
    })
    const { loginId } = await jsonOf<{ loginId: string }>(started)
    const bogus = aBogusFinishLoginRequest()
    const res = await server.call('POST', '/api/v1/sessions/finish', {
      json: { loginId, finishLoginRequest: bogus },
    })
    await expectError(res, 401, 'invalid-credentials', [bogus, loginId])
  })

  it('makes the access token fail at once after logout', async () => {
    const account = await registerOverHttp(server)
    const { accessToken } = await logInOverHttp(server, account)
    expect((await server.call('GET', '/api/v1/devices', { token: accessToken })).status).to.equal(200)
    expect((await server.call('DELETE', '/api/v1/sessions/current', { token: accessToken })).status).to.equal(
      204,
    )
    await expectError(
      await server.call('GET', '/api/v1/devices', { token: accessToken }),
      401,
      'unauthenticated',
    )
  })

  it('rotates refresh tokens and revokes the family when a used one comes back', async () => {
    const account = await registerOverHttp(server)
    const first = await logInOverHttp(server, account)
    const rotated = await server.call('POST', '/api/v1/sessions/refresh', {
      json: { refreshToken: first.refreshToken },
    })
    expect(rotated.status).to.equal(200)
    const second = await jsonOf<{ accessToken: string; refreshToken: string; expiresIn: number }>(rotated)
    expect(second.refreshToken).not.to.equal(first.refreshToken)
    const reused = await server.call('POST', '/api/v1/sessions/refresh', {
      json: { refreshToken: first.refreshToken },
    })
    await expectError(reused, 401, 'refresh-token-reused', [first.refreshToken])
    const afterReuse = await server.call('POST', '/api/v1/sessions/refresh', {
      json: { refreshToken: second.refreshToken },
    })
    expect(afterReuse.status).to.equal(401)
    await expectError(
      await server.call('GET', '/api/v1/account', { token: second.accessToken }),
      401,
      'unauthenticated',
    )
  })

  it('answers every resource route with 404 for another account’s resources', async () => {
    const owner = await aUserWithDevice(server)
    const upload = anUpload(owner.device.deviceId, owner.device.key)
    expect((await uploadOverHttp(server, owner.token, upload)).status).to.equal(201)
    const stranger = await aUserWithDevice(server)
    const path = `/api/v1/backups/${upload.input.backupId}`
    const t = stranger.token
    await expectError(await server.call('GET', path, { token: t }), 404, 'backup-not-found')
    await expectError(await server.call('GET', `${path}/content`, { token: t }), 404, 'backup-not-found')
    await expectError(await server.call('DELETE', path, { token: t }), 404, 'backup-not-found')
    await expectError(await server.call('POST', `${path}/restore`, { token: t }), 404, 'backup-not-found')
    const ownersDevice = `/api/v1/devices/${owner.device.deviceId}`
    await expectError(await server.call('DELETE', ownersDevice, { token: t }), 404, 'device-not-found')
    const signedByOwnersDevice = anUpload(owner.device.deviceId, owner.device.key)
    await expectError(await uploadOverHttp(server, t, signedByOwnersDevice), 404, 'device-not-found')
    const listed = await jsonOf<{ items: unknown[] }>(
      await server.call('GET', '/api/v1/backups', { token: t }),
    )
    expect(listed.items).to.have.length(0)
    expect((await server.call('GET', path, { token: owner.token })).status).to.equal(200)
  })

  it('refuses uploads signed by a revoked device with 403 device-revoked', async () => {
    const user = await aUserWithDevice(server)
    const second = await logInOverHttp(server, user.account)
    const revoke = await server.call('DELETE', `/api/v1/devices/${user.device.deviceId}`, {
      token: second.accessToken,
    })
    expect(revoke.status).to.equal(204)
    const upload = anUpload(user.device.deviceId, user.device.key)
    await expectError(await uploadOverHttp(server, second.accessToken, upload), 403, 'device-revoked')
  })

  it('answers a stale key-bundle version with 412 and a missing rotation with 409 naming the ids', async () => {
    const user = await aUserWithDevice(server)
    const upload = anUpload(user.device.deviceId, user.device.key)
    expect((await uploadOverHttp(server, user.token, upload)).status).to.equal(201)
    const keyBundle = { passwordWrappedUmk: 'AAAA', recoveryWrappedUmk: 'BBBB' }
    const stale = await server.call('PUT', '/api/v1/account/key-bundle', {
      token: user.token,
      json: { expectedVersion: 7, keyBundle },
    })
    expect((await expectError(stale, 412, 'version-mismatch')).details).to.deep.equal({ currentVersion: 1 })
    const rotation = await server.call('POST', '/api/v1/key-rotations', {
      token: user.token,
      json: { expectedVersion: 1, keyBundle, wrappedKeys: [] },
    })
    const error = await expectError(rotation, 409, 'rotation-incomplete')
    expect(error.details).to.deep.equal({ missing: [upload.input.backupId] })
    const applied = await server.call('POST', '/api/v1/key-rotations', {
      token: user.token,
      json: {
        expectedVersion: 1,
        keyBundle,
        wrappedKeys: [{ backupId: upload.input.backupId, wrappedKey: 'CCCC' }],
      },
    })
    expect(await jsonOf(applied)).to.deep.equal({ keyBundleVersion: 2 })
  })

  it('answers a rotation naming a backup twice with 400 rotation-duplicate-backups and the path only', async () => {
    const user = await aUserWithDevice(server)
    const upload = anUpload(user.device.deviceId, user.device.key)
    expect((await uploadOverHttp(server, user.token, upload)).status).to.equal(201)
    const keyBundle = { passwordWrappedUmk: 'AAAA', recoveryWrappedUmk: 'BBBB' }
    const twice = await server.call('POST', '/api/v1/key-rotations', {
      token: user.token,
      json: {
        expectedVersion: 1,
        keyBundle,
        wrappedKeys: [
          { backupId: upload.input.backupId, wrappedKey: 'CCCC' },
          { backupId: upload.input.backupId, wrappedKey: 'DDDD' },
        ],
      },
    })
    const error = await expectError(twice, 400, 'rotation-duplicate-backups')
    expect(error.details).to.deep.equal({ paths: ['wrappedKeys.1.backupId'] })
    expect(JSON.stringify(error)).not.to.include('DDDD')
    const account = await jsonOf<{ keyBundleVersion: number }>(
      await server.call('GET', '/api/v1/account', { token: user.token }),
    )
    expect(account.keyBundleVersion).to.equal(1)
  })

  it('erases the account with 202 and its token stops working', async () => {
    const user = await aUserWithDevice(server)
    const res = await server.call('DELETE', '/api/v1/account', { token: user.token })
    expect(res.status).to.equal(202)
    await expectError(
      await server.call('GET', '/api/v1/account', { token: user.token }),
      401,
      'unauthenticated',
    )
  })

  it('answers a registration with a taken username with 409 username-taken', async () => {
    const account = await registerOverHttp(server)
    await expectError(
      await finishRegistrationOverHttp(server, account.username, 'other'),
      409,
      'username-taken',
    )
  })

  it('changes the password through start/finish and logs in with the new one', async () => {
    await opaque.ready
    const account = await registerOverHttp(server)
    const { accessToken } = await logInOverHttp(server, account)
    const password = `new-${randomUUID()}`
    const { clientRegistrationState, registrationRequest } = opaque.client.startRegistration({ password })
    const started = await server.call('POST', '/api/v1/account/password/start', {
      token: accessToken,
      json: { registrationRequest },
    })
    const { registrationResponse } = await jsonOf<{ registrationResponse: string }>(started)
    const { registrationRecord } = opaque.client.finishRegistration({
      password,
      registrationResponse,
      clientRegistrationState,
      keyStretching: { 'argon2id-custom': { iterations: 1, memory: 64, parallelism: 1 } },
    })
    const finished = await server.call('POST', '/api/v1/account/password/finish', {
      token: accessToken,
      json: { expectedVersion: 1, registrationRecord, passwordWrappedUmk: 'AAAA' },
    })
    expect(await jsonOf(finished)).to.deep.equal({ keyBundleVersion: 2 })
    const again = await logInOverHttp(server, { username: account.username, password })
    expect(again.accessToken).to.be.a('string')
  })

  it('hands the recovery-wrapped UMK and its version only to a correct recovery proof', async () => {
    const account = await registerOverHttp(server)
    const { accessToken } = await logInOverHttp(server, account)
    const { keyBundle } = await jsonOf<{ keyBundle: { recoveryWrappedUmk: string } }>(
      await server.call('GET', '/api/v1/account', { token: accessToken }),
    )
    const start = (username: string, recoveryProof: string) =>
      server.call('POST', '/api/v1/account/recovery/start', { json: { username, recoveryProof } })
    const started = await start(account.username, account.recoveryProof)
    expect(started.status).to.equal(200)
    const body = await jsonOf<Record<string, unknown>>(started)
    expect(Object.keys(body).sort()).to.deep.equal([
      'keyBundleVersion',
      'recoveryToken',
      'recoveryWrappedUmk',
    ])
    expect(body).to.include({ recoveryWrappedUmk: keyBundle.recoveryWrappedUmk, keyBundleVersion: 1 })
    const secrets = [keyBundle.recoveryWrappedUmk]
    const wrong = await expectError(
      await start(account.username, 'B'.repeat(43)),
      401,
      'invalid-recovery-proof',
      secrets,
    )
    const unknown = await expectError(
      await start(`nobody-${randomUUID().slice(0, 8)}`, account.recoveryProof),
      401,
      'invalid-recovery-proof',
      secrets,
    )
    const { requestId: _a, ...wrongRest } = wrong
    const { requestId: _b, ...unknownRest } = unknown
    expect(wrongRest).to.deep.equal(unknownRest)
  })

  it('lists each device with its registered Ed25519 public key', async () => {
    const user = await aUserWithDevice(server)
    const { items } = await jsonOf<{ items: Array<Record<string, unknown>> }>(
      await server.call('GET', '/api/v1/devices', { token: user.token }),
    )
    expect(items).to.have.length(1)
    expect(items[0]).to.include({ deviceId: user.device.deviceId, publicKey: user.device.key.publicKey })
    expect(Object.keys(items[0]!).sort()).to.deep.equal([
      'createdAt',
      'deviceId',
      'encryptedName',
      'lastSeenAt',
      'publicKey',
      'revokedAt',
    ])
  })

  it('refuses a second registration of a device key with 409 device-exists; another account may use it', async () => {
    const user = await aUserWithDevice(server)
    const again = await server.call('POST', '/api/v1/devices', {
      token: user.token,
      json: { publicKey: user.device.key.publicKey, encryptedName: 'AAAA' },
    })
    await expectError(again, 409, 'device-exists')
    const other = await aUserWithDevice(server)
    const elsewhere = await server.call('POST', '/api/v1/devices', {
      token: other.token,
      json: { publicKey: user.device.key.publicKey, encryptedName: 'AAAA' },
    })
    expect(elsewhere.status).to.equal(201)
    const { items } = await jsonOf<{ items: unknown[] }>(
      await server.call('GET', '/api/v1/devices', { token: user.token }),
    )
    expect(items).to.have.length(1)
  })

  it('recovers an account with the recovery proof and a fresh OPAQUE registration', async () => {
    const account = await registerOverHttp(server)
    const wrongProof = await server.call('POST', '/api/v1/account/recovery/start', {
      json: { username: account.username, recoveryProof: 'A'.repeat(43) },
    })
    await expectError(wrongProof, 401, 'invalid-recovery-proof')
    const started = await server.call('POST', '/api/v1/account/recovery/start', {
      json: { username: account.username, recoveryProof: account.recoveryProof },
    })
    const { recoveryToken } = await jsonOf<{ recoveryToken: string }>(started)
    const password = `recovered-${randomUUID()}`
    const registrationRecord = await opaqueRecordOverHttp(server, account.username, password)
    const finished = await server.call('POST', '/api/v1/account/recovery/finish', {
      json: { recoveryToken, registrationRecord, passwordWrappedUmk: 'AAAA' },
    })
    expect(await jsonOf(finished)).to.deep.equal({ keyBundleVersion: 2 })
    const replayed = await server.call('POST', '/api/v1/account/recovery/finish', {
      json: { recoveryToken, registrationRecord, passwordWrappedUmk: 'AAAA' },
    })
    await expectError(replayed, 401, 'invalid-recovery-proof', [recoveryToken])
    expect((await logInOverHttp(server, { username: account.username, password })).accessToken).to.be.a(
      'string',
    )
  })
})
