/**
 * Insecure direct object references: an attacker with a valid session of their own names the victim's ids on
 * every route that takes an id (path, header, query or body). Over real PostgreSQL through the composition
 * root. Each attempt must fail as if the id did not exist, and the victim's rows must be byte-for-byte intact.
 */
import * as opaque from '@serenity-kit/opaque'
import { expect } from 'chai'
import type { BackupId } from '../../domain/ids'
import { anUpload } from '../support/test-client'
import {
  aUserWithDevice,
  expectError,
  jsonOf,
  uploadHeaders,
  uploadOverHttp,
} from '../adapters/http/http-test-kit'
import { startTarget, type Target } from './attack-kit'
import { snapshot } from './snapshot'

describe('attacks: another account’s ids on every route (PostgreSQL)', function () {
  this.timeout(60_000)
  let target: Target
  let victim: Awaited<ReturnType<typeof aUserWithDevice>>
  let attacker: Awaited<ReturnType<typeof aUserWithDevice>>
  let kept: BackupId
  let trashed: BackupId

  before(async () => {
    target = await startTarget()
    victim = await aUserWithDevice(target)
    attacker = await aUserWithDevice(target)
    const first = anUpload(victim.device.deviceId, victim.device.key)
    const second = anUpload(victim.device.deviceId, victim.device.key)
    for (const upload of [first, second])
      expect((await uploadOverHttp(target, victim.token, upload)).status).to.equal(201)
    kept = first.input.backupId
    trashed = second.input.backupId
    expect(
      (await target.call('DELETE', `/api/v1/backups/${trashed}`, { token: victim.token })).status,
    ).to.equal(204)
  })
  after(() => target?.close())

  it('answers 404 on every backup route, as for an id that does not exist, and changes nothing', async () => {
    const before = await snapshot(target.db.ownerKnex, victim.account.accountId)
    const t = attacker.token
    for (const id of [kept, trashed]) {
      const path = `/api/v1/backups/${id}`
      await expectError(await target.call('GET', path, { token: t }), 404, 'backup-not-found')
      await expectError(await target.call('GET', `${path}/content`, { token: t }), 404, 'backup-not-found')
      const head = await target.call('HEAD', `${path}/content`, { token: t })
      expect(head.status).to.equal(404)
      await expectError(
        await target.call('GET', `${path}/content`, { token: t, headers: { Range: 'bytes=0-10' } }),
        404,
        'backup-not-found',
      )
      await expectError(await target.call('DELETE', path, { token: t }), 404, 'backup-not-found')
      await expectError(await target.call('POST', `${path}/restore`, { token: t }), 404, 'backup-not-found')
    }
    expect(await snapshot(target.db.ownerKnex, victim.account.accountId)).to.deep.equal(before)
  })

  it('never lists, filters or pages into the victim’s backups', async () => {
    const t = attacker.token
    for (const query of [
      '',
      '?trash=true',
      `?deviceId=${victim.device.deviceId}`,
      `?deviceId=${victim.device.deviceId}&trash=true`,
    ]) {
      const page = await jsonOf<{ items: unknown[] }>(
        await target.call('GET', `/api/v1/backups${query}`, { token: t }),
      )
      expect(page.items, query).to.deep.equal([])
    }
    // A cursor taken from the victim's own listing is only a position: it reveals nothing to the attacker.
    const another = anUpload(victim.device.deviceId, victim.device.key)
    expect((await uploadOverHttp(target, victim.token, another)).status).to.equal(201)
    const victimPage = await jsonOf<{ nextCursor: string | null }>(
      await target.call('GET', '/api/v1/backups?limit=1', { token: victim.token }),
    )
    expect(victimPage.nextCursor).to.be.a('string')
    const paged = await target.call('GET', `/api/v1/backups?cursor=${victimPage.nextCursor}`, { token: t })
    expect((await jsonOf<{ items: unknown[] }>(paged)).items).to.deep.equal([])
  })

  it('refuses the victim’s device on revoke, upload and login, and keeps it active', async () => {
    const before = await snapshot(target.db.ownerKnex, victim.account.accountId)
    const t = attacker.token
    await expectError(
      await target.call('DELETE', `/api/v1/devices/${victim.device.deviceId}`, { token: t }),
      404,
      'device-not-found',
    )
    const signedByVictimsKey = anUpload(victim.device.deviceId, victim.device.key)
    await expectError(await uploadOverHttp(target, t, signedByVictimsKey), 404, 'device-not-found')
    const devices = await jsonOf<{ items: Array<{ deviceId: string }> }>(
      await target.call('GET', '/api/v1/devices', { token: t }),
    )
    expect(devices.items.map((d) => d.deviceId)).not.to.include(victim.device.deviceId)
    expect(await snapshot(target.db.ownerKnex, victim.account.accountId)).to.deep.equal(before)
  })

  it('refuses a session bound to the victim’s device', async () => {
    await opaque.ready
    const { password, username } = attacker.account
    const { clientLoginState, startLoginRequest } = opaque.client.startLogin({ password })
    const started = await jsonOf<{ loginId: string; loginResponse: string }>(
      await target.call('POST', '/api/v1/sessions/start', { json: { username, startLoginRequest } }),
    )
    const finished = opaque.client.finishLogin({
      clientLoginState,
      loginResponse: started.loginResponse,
      password,
      keyStretching: { 'argon2id-custom': { iterations: 1, memory: 64, parallelism: 1 } },
    })
    const res = await target.call('POST', '/api/v1/sessions/finish', {
      json: {
        loginId: started.loginId,
        finishLoginRequest: finished?.finishLoginRequest,
        deviceId: victim.device.deviceId,
      },
    })
    await expectError(res, 401, 'invalid-credentials')
  })

  it('keeps the victim’s ids out of uploads: same backup id, victim’s parent, victim’s content', async () => {
    const before = await snapshot(target.db.ownerKnex, victim.account.accountId)
    const t = attacker.token
    // The same backup id is a different backup in the attacker's own space: no collision, no oracle.
    const sameId = anUpload(attacker.device.deviceId, attacker.device.key, { backupId: kept })
    expect((await uploadOverHttp(target, t, sameId)).status).to.equal(201)
    const mine = await jsonOf<{ sizeBytes: number }>(
      await target.call('GET', `/api/v1/backups/${kept}`, { token: t }),
    )
    expect(mine.sizeBytes).to.equal(sameId.content.length)
    const withVictimsParent = anUpload(attacker.device.deviceId, attacker.device.key, { parentId: trashed })
    const res = await target.call('PUT', `/api/v1/backups/${withVictimsParent.input.backupId}/content`, {
      token: t,
      headers: uploadHeaders(withVictimsParent),
      body: withVictimsParent.content,
    })
    expect(res.status, await res.clone().text()).to.be.oneOf([201, 404, 422])
    await res.arrayBuffer()
    expect(await snapshot(target.db.ownerKnex, victim.account.accountId)).to.deep.equal(before)
  })

  it('refuses to rewrap the victim’s backups in a key rotation', async () => {
    const before = await snapshot(target.db.ownerKnex, victim.account.accountId)
    const account = await jsonOf<{ keyBundleVersion: number }>(
      await target.call('GET', '/api/v1/account', { token: attacker.token }),
    )
    const res = await target.call('POST', '/api/v1/key-rotations', {
      token: attacker.token,
      json: {
        expectedVersion: account.keyBundleVersion,
        keyBundle: { passwordWrappedUmk: 'AAAA', recoveryWrappedUmk: 'BBBB' },
        wrappedKeys: [{ backupId: trashed, wrappedKey: 'CCCC' }],
      },
    })
    expect(res.status, await res.clone().text()).to.be.within(400, 499)
    const body = await res.text()
    expect(body).not.to.include(victim.account.accountId)
    expect(await snapshot(target.db.ownerKnex, victim.account.accountId)).to.deep.equal(before)
  })

  it('shows only the caller’s own account and audit trail', async () => {
    const t = attacker.token
    const account = await jsonOf<{ accountId: string }>(
      await target.call('GET', '/api/v1/account', { token: t }),
    )
    expect(account.accountId).to.equal(attacker.account.accountId)
    const audit = await target.call('GET', '/api/v1/audit?limit=200', { token: t })
    const text = await audit.text()
    expect(audit.status).to.equal(200)
    for (const id of [victim.account.accountId, victim.device.deviceId, kept, trashed])
      expect(text).not.to.include(id)
  })

  it('erases only the caller’s account', async () => {
    const before = await snapshot(target.db.ownerKnex, victim.account.accountId)
    const doomed = await aUserWithDevice(target)
    expect((await target.call('DELETE', '/api/v1/account', { token: doomed.token })).status).to.equal(202)
    expect(await snapshot(target.db.ownerKnex, victim.account.accountId)).to.deep.equal(before)
    expect((await target.call('GET', `/api/v1/backups/${kept}`, { token: victim.token })).status).to.equal(
      200,
    )
  })
})
