import { expect } from 'chai'
import type { TestServer } from '../../adapters/http/http-test-kit'
import {
  KEYRING_TYPE,
  listBackups,
  listDevices,
  login,
  pull,
  push,
  register,
  registerDevice,
  rotateKeys,
  saveKeyring,
  type BackupRecord,
  type FetchLike,
  type Session,
} from '../../../client/sdk'
import { aPassword, aServer, aUsername, optionsFor, readAll, right, someBytes } from './sdk-kit'

const metadataFor = (name: string, size: number) => ({
  name,
  size,
  mtime: '2025-01-01T00:00:00.000Z',
  type: 'text/plain',
  tags: [],
})

describe('the keyring keeps names readable across key rotations', function () {
  this.timeout(30_000)
  let server: TestServer
  before(async () => {
    server = await aServer()
  })
  after(() => server.close())

  const anAccount = async () => {
    const username = aUsername()
    const password = aPassword()
    const { recoveryKey } = right(await register(optionsFor(server), { username, password }))
    const { session } = right(
      await registerDevice(right(await login(optionsFor(server), { username, password })), 'laptop'),
    )
    const pushNamed = async (s: Session, name: string) => {
      const bytes = someBytes(2000, name.length)
      return right(await push(s, { source: () => [bytes], metadata: metadataFor(name, bytes.length) }))
        .backupId
    }
    return { username, password, recoveryKey, session, pushNamed }
  }

  const namesOf = async (session: Session) =>
    Object.fromEntries(right(await listBackups(session)).map((v) => [v.backupId, v.metadata?.name ?? null]))

  it('without a keyring, a rotation leaves earlier names unreadable (the limitation it fixes)', async () => {
    const a = await anAccount()
    const first = await a.pushNamed(a.session, 'before.txt')
    const rotated = right(await rotateKeys(a.session, { recoveryKey: a.recoveryKey }))
    expect((await namesOf(rotated))[first]).to.equal(null)
  })

  it('opens names, metadata and device names written before one or two rotations, in a fresh login too', async () => {
    const a = await anAccount()
    const first = await a.pushNamed(a.session, 'first.txt')
    const once = right(await rotateKeys(a.session, { recoveryKey: a.recoveryKey }))
    const keyring1 = right(await saveKeyring(a.session, once))
    const second = await a.pushNamed(once, 'second.txt')
    const twice = right(await rotateKeys(once, { recoveryKey: a.recoveryKey }))
    right(await saveKeyring(once, twice))
    const third = await a.pushNamed(twice, 'third.txt')

    const fresh = right(await login(optionsFor(server), { username: a.username, password: a.password }))
    const names = await namesOf(fresh)
    expect(names).to.include({ [first]: 'first.txt', [second]: 'second.txt', [third]: 'third.txt' })
    const keyrings = right(await listBackups(fresh)).filter((v) => v.metadata?.type === KEYRING_TYPE)
    expect(keyrings.map((k) => k.backupId))
      .to.include(keyring1.backupId)
      .and.have.length(2)
    const pulled = right(await pull(fresh, first))
    expect(pulled.metadata?.name).to.equal('first.txt')
    expect((await readAll(pulled.content)).length).to.equal(2000)
    const devices = right(await listDevices(fresh))
    expect(devices.map((d) => d.name)).to.deep.equal(['laptop'])
  })

  it('still opens the oldest names when the latest keyring is the only one left', async () => {
    const a = await anAccount()
    const first = await a.pushNamed(a.session, 'oldest.txt')
    const once = right(await rotateKeys(a.session, { recoveryKey: a.recoveryKey }))
    const keyring1 = right(await saveKeyring(a.session, once))
    const twice = right(await rotateKeys(once, { recoveryKey: a.recoveryKey }))
    right(await saveKeyring(once, twice))
    const withoutKeyring1: FetchLike = async (url, init) => {
      const res = await fetch(url, init)
      if (new URL(url).pathname !== '/api/v1/backups') return res
      const page = (await res.json()) as { items: BackupRecord[] }
      return Response.json({ ...page, items: page.items.filter((r) => r.backupId !== keyring1.backupId) })
    }
    const options = optionsFor(server, { fetch: withoutKeyring1 })
    const fresh = right(await login(options, { username: a.username, password: a.password }))
    expect(Object.keys(await namesOf(fresh))).not.to.include(keyring1.backupId)
    expect((await namesOf(fresh))[first]).to.equal('oldest.txt')
  })
})
