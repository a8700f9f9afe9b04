import { randomUUID } from 'node:crypto'
import { expect } from 'chai'
import type { TestServer } from '../../adapters/http/http-test-kit'
import {
  login,
  pull,
  push,
  recover,
  register,
  registerDevice,
  rotateKeys,
  type FetchLike,
  type Session,
} from '../../../client/sdk'
import { interceptingFetch } from '../cli/cli-kit'
import {
  aPassword,
  aServer,
  aUsername,
  isBackupRecord,
  left,
  optionsFor,
  readAll,
  right,
  someBytes,
  withAlteredSignature,
} from './sdk-kit'

type Sent = { method: string; path: string }

/** A fetch that records every request (method and path) and passes it on. */
const recordingFetch =
  (sent: Sent[]): FetchLike =>
  async (url, init) => {
    sent.push({ method: init.method ?? 'GET', path: new URL(url).pathname })
    return fetch(url, init)
  }

const bytes = someBytes(70_000, 11)
const metadata = {
  name: 'notes.txt',
  size: bytes.length,
  mtime: '2025-01-01T00:00:00.000Z',
  type: 'text/plain',
  tags: [],
}

describe('the SDK recovers in one step and verifies upload signatures on pull', function () {
  this.timeout(30_000)
  let server: TestServer
  before(async () => {
    server = await aServer()
  })
  after(() => server.close())

  /** A registered account with one device and one backup. */
  const anAccount = async (extra: Parameters<typeof optionsFor>[1] = {}) => {
    const username = aUsername()
    const password = aPassword()
    const { recoveryKey } = right(await register(optionsFor(server), { username, password }))
    const first = right(await login(optionsFor(server, extra), { username, password }))
    const { session } = right(await registerDevice(first, 'laptop'))
    const { backupId } = right(await push(session, { source: () => [bytes], metadata }))
    return { username, password, recoveryKey, session, backupId }
  }

  const pullsBack = async (session: Session, backupId: string) => {
    const pulled = right(await pull(session, backupId))
    expect((await readAll(pulled.content)).equals(Buffer.from(bytes))).to.equal(true)
  }

  describe('recovery', () => {
    it('finishes in one exchange, after which the new password alone opens the same UMK', async () => {
      const a = await anAccount()
      const sent: Sent[] = []
      const newPassword = aPassword()
      const options = optionsFor(server, { fetch: recordingFetch(sent) })
      const recovered = right(await recover(options, { ...a, newPassword }))
      expect(recovered.umk).to.deep.equal(a.session.umk)
      expect(sent.filter((s) => s.path.includes('/recovery/'))).to.deep.equal([
        { method: 'POST', path: '/api/v1/account/recovery/start' },
        { method: 'POST', path: '/api/v1/account/recovery/finish' },
      ])
      expect(sent.map((s) => s.path)).not.to.include('/api/v1/account/key-bundle')
      const fresh = right(await login(optionsFor(server), { username: a.username, password: newPassword }))
      expect(fresh.umk).to.deep.equal(a.session.umk)
      expect(left(await login(optionsFor(server), a))._tag).to.equal('WrongPassword')
      await pullsBack(fresh, a.backupId)
    })

    it('refuses another account’s recovery key and leaves the password as it was', async () => {
      const a = await anAccount()
      const b = await anAccount()
      const input = { username: a.username, recoveryKey: b.recoveryKey, newPassword: aPassword() }
      expect(left(await recover(optionsFor(server), input))).to.deep.equal({
        _tag: 'BadRecoveryKey',
        reason: 'mismatch',
      })
      expect(right(await login(optionsFor(server), a)).umk).to.deep.equal(a.session.umk)
    })

    it('changes nothing when the recovery-wrapped UMK it receives does not open', async () => {
      const a = await anAccount()
      const sent: Sent[] = []
      const garbled = interceptingFetch(async (url, init, res) => {
        sent.push({ method: init.method ?? 'GET', path: new URL(url).pathname })
        if (!url.endsWith('/recovery/start') || res.status !== 200) return res
        const body = (await res.json()) as Record<string, unknown>
        return Response.json({ ...body, recoveryWrappedUmk: Buffer.alloc(60, 7).toString('base64url') })
      })
      const input = { ...a, newPassword: aPassword() }
      expect(left(await recover(optionsFor(server, { fetch: garbled }), input))).to.deep.equal({
        _tag: 'BadRecoveryKey',
        reason: 'mismatch',
      })
      expect(sent.map((s) => s.path)).not.to.include('/api/v1/account/recovery/finish')
      expect(right(await login(optionsFor(server), a)).umk).to.deep.equal(a.session.umk)
    })

    it('settles a key rotation that lands between start and finish on the rotated UMK', async () => {
      const a = await anAccount()
      let rotated: Session | undefined
      /** Another device, still logged in with the old password, rotates just before finish arrives. */
      const racing: FetchLike = async (url, init) => {
        if (url.endsWith('/recovery/finish'))
          rotated = right(await rotateKeys(a.session, { recoveryKey: a.recoveryKey }))
        return fetch(url, init)
      }
      const newPassword = aPassword()
      const recovered = right(await recover(optionsFor(server, { fetch: racing }), { ...a, newPassword }))
      expect(rotated?.umk).to.not.deep.equal(a.session.umk)
      expect(recovered.umk).to.deep.equal(rotated?.umk)
      const fresh = right(await login(optionsFor(server), { username: a.username, password: newPassword }))
      expect(fresh.umk).to.deep.equal(rotated?.umk)
      await pullsBack(fresh, a.backupId)
    })
  })

  describe('pull', () => {
    it('refuses a record whose signature was altered, before fetching any content', async () => {
      const a = await anAccount()
      const sent: Sent[] = []
      const tampering = interceptingFetch(async (url, init, res) => {
        sent.push({ method: init.method ?? 'GET', path: new URL(url).pathname })
        return isBackupRecord(url, init) ? withAlteredSignature(res) : res
      })
      const session = right(await login(optionsFor(server, { fetch: tampering }), a))
      expect(left(await pull(session, a.backupId))).to.deep.equal({
        _tag: 'BadSignature',
        reason: 'mismatch',
      })
      expect(sent.some((s) => s.path.endsWith('/content'))).to.equal(false)
    })

    it('refuses a record that names a device the account does not have', async () => {
      const a = await anAccount()
      const otherDevice = interceptingFetch(async (url, init, res) => {
        if (!isBackupRecord(url, init)) return res
        return Response.json({ ...((await res.json()) as object), deviceId: randomUUID() })
      })
      const session = right(await login(optionsFor(server, { fetch: otherDevice }), a))
      expect(left(await pull(session, a.backupId))).to.deep.equal({
        _tag: 'BadSignature',
        reason: 'unknown-device',
      })
    })

    it('reads the device list once per session, and again for a device registered since', async () => {
      const sent: Sent[] = []
      const a = await anAccount({ fetch: recordingFetch(sent) })
      const listings = () => sent.filter((s) => s.method === 'GET' && s.path === '/api/v1/devices').length
      await pullsBack(a.session, a.backupId)
      await pullsBack(a.session, a.backupId)
      expect(listings()).to.equal(1)
      const other = right(await login(optionsFor(server), a))
      const { session: phone } = right(await registerDevice(other, 'phone'))
      const { backupId } = right(await push(phone, { source: () => [bytes], metadata }))
      await pullsBack(a.session, backupId)
      expect(listings()).to.equal(2)
    })
  })
})
