import { expect } from 'chai'
import type { TestServer } from '../../adapters/http/http-test-kit'
import {
  changePassword,
  fetchAudit,
  listBackups,
  listDevices,
  login,
  pull,
  push,
  recover,
  register,
  registerDevice,
  restoreBackup,
  rotateKeys,
  trashBackup,
  type Session,
} from '../../../client/sdk'
import { aPassword, aServer, aUsername, left, optionsFor, readAll, right, someBytes } from './sdk-kit'

const metadataFor = (name: string, size: number) => ({
  name,
  size,
  mtime: '2025-01-01T00:00:00.000Z',
  type: 'application/octet-stream',
  tags: [],
})

const pushBytes = async (session: Session, name: string, bytes: Uint8Array) =>
  right(await push(session, { source: () => [bytes], metadata: metadataFor(name, bytes.length) }))

describe('the client SDK against a real api-v1 server', function () {
  this.timeout(30_000)
  let server: TestServer
  before(async () => {
    server = await aServer()
  })
  after(() => server.close())

  it('registers, logs in, pushes, lists, pulls, trashes, restores, rotates, changes the password and recovers', async () => {
    const options = optionsFor(server)
    const username = aUsername()
    const password = aPassword()
    const { recoveryKey } = right(await register(options, { username, password }))
    const first = right(await login(options, { username, password }))
    const { session } = right(await registerDevice(first, 'laptop'))
    const sizes = [0, 1, 1024 * 1024 - 1, 1024 * 1024, 1024 * 1024 + 1]
    const pushed = []
    for (const size of sizes)
      pushed.push({
        size,
        bytes: someBytes(size, size + 1),
        ...(await pushBytes(session, `f${size}`, someBytes(size, size + 1))),
      })

    const listed = right(await listBackups(session))
    expect(listed.map((b) => b.metadata?.name).sort()).to.deep.equal(sizes.map((s) => `f${s}`).sort())
    for (const p of pushed) {
      const pulled = right(await pull(session, p.backupId))
      expect(pulled.metadata?.size).to.equal(p.size)
      expect((await readAll(pulled.content)).equals(Buffer.from(p.bytes))).to.equal(true)
    }

    const victim = pushed[1]!
    right(await trashBackup(session, victim.backupId))
    expect(right(await listBackups(session)).map((b) => b.backupId)).not.to.include(victim.backupId)
    right(await restoreBackup(session, victim.backupId))

    const rotated = right(await rotateKeys(session, { recoveryKey }))
    expect(rotated.keyBundleVersion).to.be.greaterThan(session.keyBundleVersion)
    const afterRotation = right(await pull(rotated, pushed[4]!.backupId))
    expect((await readAll(afterRotation.content)).equals(Buffer.from(pushed[4]!.bytes))).to.equal(true)

    const newPassword = aPassword()
    right(await changePassword(rotated, newPassword))
    expect(left(await login(options, { username, password }))._tag).to.equal('WrongPassword')
    const again = right(await login(options, { username, password: newPassword }))
    expect(again.umk).to.deep.equal(rotated.umk)

    const recoveredPassword = aPassword()
    const recovered = right(await recover(options, { username, recoveryKey, newPassword: recoveredPassword }))
    expect(recovered.umk).to.deep.equal(rotated.umk)
    right(await login(options, { username, password: recoveredPassword }))

    const devices = right(await listDevices(recovered))
    expect(devices).to.have.length(1)
    const trail = right(await fetchAudit(recovered))
    expect(trail.firstBroken).to.equal(-1)
    expect(trail.events.map((e) => e.type)).to.include.members([
      'registered',
      'key-rotated',
      'password-changed',
      'recovered',
    ])
  })
})
