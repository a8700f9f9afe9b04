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
})
