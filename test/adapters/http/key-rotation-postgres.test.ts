/**
 * Key rotation over HTTP against the real server on PostgreSQL: the one-request form's refusals (a backup named
 * twice, a trashed backup left out) and the staged protocol.
 */
import { expect } from 'chai'
import { startRealZkebServer, type RealZkebServer } from '../../support/real-zkeb-server'
import { anUpload } from '../../support/test-client'
import {
  aUserWithDevice,
  expectError,
  httpCaller,
  type HttpCaller,
  jsonOf,
  uploadOverHttp,
} from './http-test-kit'

const keyBundle = { passwordWrappedUmk: 'AAAA', recoveryWrappedUmk: 'BBBB' }

describe('key rotation over HTTP (PostgreSQL)', function () {
  this.timeout(60_000)
  let server: RealZkebServer
  let call: HttpCaller['call']
  before(async () => {
    server = await startRealZkebServer()
    call = httpCaller(server.base)
  })
  after(() => server.close())

  const withBackups = async (count: number) => {
    const user = await aUserWithDevice({ call })
    const ids: string[] = []
    for (let i = 0; i < count; i++) {
      const upload = anUpload(user.device.deviceId, user.device.key)
      expect((await uploadOverHttp({ call }, user.token, upload)).status).to.equal(201)
      ids.push(upload.input.backupId)
    }
    return { user, ids }
  }
  const versionOf = async (token: string) =>
    (await jsonOf<{ keyBundleVersion: number }>(await call('GET', '/api/v1/account', { token })))
      .keyBundleVersion

  it('answers a one-request rotation naming a backup twice with 400 and the path of the repeat', async () => {
    const { user, ids } = await withBackups(1)
    const twice = await call('POST', '/api/v1/key-rotations', {
      token: user.token,
      json: {
        expectedVersion: 1,
        keyBundle,
        wrappedKeys: [
          { backupId: ids[0], wrappedKey: 'CCCC' },
          { backupId: ids[0], wrappedKey: 'DDDD' },
        ],
      },
    })
    const error = await expectError(twice, 400, 'rotation-duplicate-backups')
    expect(error.details).to.deep.equal({ paths: ['wrappedKeys.1.backupId'] })
    expect(await versionOf(user.token)).to.equal(1)
  })

  it('refuses a one-request rotation that leaves a trashed backup under the old key', async () => {
    const { user, ids } = await withBackups(2)
    const [live, trashed] = ids as [string, string]
    expect((await call('DELETE', `/api/v1/backups/${trashed}`, { token: user.token })).status).to.equal(204)
    const liveOnly = await call('POST', '/api/v1/key-rotations', {
      token: user.token,
      json: { expectedVersion: 1, keyBundle, wrappedKeys: [{ backupId: live, wrappedKey: 'CCCC' }] },
    })
    expect((await expectError(liveOnly, 409, 'rotation-incomplete')).details).to.deep.equal({
      missing: [trashed],
    })
    const both = await call('POST', '/api/v1/key-rotations', {
      token: user.token,
      json: {
        expectedVersion: 1,
        keyBundle,
        wrappedKeys: [
          { backupId: live, wrappedKey: 'CCCC' },
          { backupId: trashed, wrappedKey: 'DDDD' },
        ],
      },
    })
    expect(await jsonOf(both)).to.deep.equal({ keyBundleVersion: 2 })
  })

  it('runs the staged rotation: begin, pending, pages, an incomplete commit, commit, one key-rotated', async () => {
    const { user, ids } = await withBackups(3)
    const t = user.token
    const begun = await call('POST', '/api/v1/key-rotations/staged', {
      token: t,
      json: { expectedVersion: 1, keyBundle },
    })
    expect(begun.status).to.equal(201)
    const { rotationId, backupCount } = await jsonOf<{ rotationId: string; backupCount: number }>(begun)
    expect(backupCount).to.equal(3)
    const twice = await call('POST', '/api/v1/key-rotations/staged', {
      token: t,
      json: { expectedVersion: 1, keyBundle },
    })
    expect((await expectError(twice, 409, 'key-rotation-in-progress')).details).to.deep.equal({ rotationId })
    const at = `/api/v1/key-rotations/${rotationId}`
    const pending = await jsonOf<{ items: Array<{ backupId: string }>; nextAfter: string | null }>(
      await call('GET', `${at}/pending?limit=2`, { token: t }),
    )
    expect(pending.items).to.have.length(2)
    const put = (wrappedKeys: unknown) => call('PUT', `${at}/keys`, { token: t, json: { wrappedKeys } })
    const key = (backupId: string) => ({ backupId, wrappedKey: 'CCCC' })
    await expectError(await put([key(ids[0]!), key(ids[0]!)]), 400, 'rotation-duplicate-backups')
    await expectError(
      await put([key('00000000-0000-4000-8000-000000000000')]),
      409,
      'rotation-unknown-backups',
    )
    expect(await jsonOf(await put(pending.items.map((i) => key(i.backupId))))).to.deep.equal({ staged: 2 })
    const early = await call('POST', `${at}/commit`, { token: t, json: {} })
    const missing = ids.filter((id) => !pending.items.some((i) => i.backupId === id))
    expect((await expectError(early, 409, 'rotation-incomplete')).details).to.deep.equal({
      missing,
      missingCount: 1,
    })
    expect(await jsonOf(await put(missing.map(key)))).to.deep.equal({ staged: 1 })
    const state = await jsonOf<{ stagedCount: number }>(
      await call('GET', '/api/v1/key-rotations/current', { token: t }),
    )
    expect(state.stagedCount).to.equal(3)
    expect(await jsonOf(await call('POST', `${at}/commit`, { token: t, json: {} }))).to.deep.equal({
      keyBundleVersion: 2,
    })
    await expectError(
      await call('POST', `${at}/commit`, { token: t, json: {} }),
      404,
      'key-rotation-not-found',
    )
    const audit = await jsonOf<{ items: Array<{ type: string }> }>(
      await call('GET', '/api/v1/audit?limit=200', { token: t }),
    )
    expect(audit.items.filter((e) => e.type === 'key-rotated')).to.have.length(1)
  })

  it('aborts a staged rotation with 204 and leaves the keys as they were', async () => {
    const { user } = await withBackups(1)
    const begun = await jsonOf<{ rotationId: string }>(
      await call('POST', '/api/v1/key-rotations/staged', {
        token: user.token,
        json: { expectedVersion: 1, keyBundle },
      }),
    )
    const at = `/api/v1/key-rotations/${begun.rotationId}`
    expect((await call('DELETE', at, { token: user.token })).status).to.equal(204)
    await expectError(await call('DELETE', at, { token: user.token }), 404, 'key-rotation-not-found')
    expect(await versionOf(user.token)).to.equal(1)
  })
})
