/** The AccountRepository contract, run against every adapter. */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import { usernameTaken, versionMismatch } from '../../domain/errors'
import type { Username } from '../../domain/ids'
import {
  aBackup,
  aDevice,
  aKeyBundle,
  anAccount,
  anAccountId,
  anAuditDraft,
  at,
} from '../support/persistence-builders'
import { left, type PersistenceHarness, right } from './harness'

export const accountRepositoryContract = (
  name: string,
  setUp: () => Promise<PersistenceHarness>,
): Mocha.Suite =>
  describe(`AccountRepository contract (${name})`, () => {
    let h: PersistenceHarness
    before(async () => {
      h = await setUp()
    })
    beforeEach(() => h.reset())
    after(() => h.close())

    it('finds nothing for an unknown id or username', async () => {
      expect(await h.accounts.findById(anAccountId())()).to.deep.equal(E.right(O.none))
      expect(await h.accounts.findByUsername('nobody-here' as Username)()).to.deep.equal(E.right(O.none))
    })

    it('returns the created account by id, its createdAt milliseconds intact', async () => {
      const account = anAccount({ createdAt: at(123) })
      await right(h.accounts.create(account))
      expect(await h.accounts.findById(account.accountId)()).to.deep.equal(E.right(O.some(account)))
    })

    it('finds an account by username whatever its letter case', async () => {
      const account = anAccount({ username: 'Alice.Example' as Username })
      await right(h.accounts.create(account))
      expect(await h.accounts.findByUsername('aLICE.example' as Username)()).to.deep.equal(
        E.right(O.some(account)),
      )
    })

    it('refuses a username already taken in another letter case', async () => {
      await right(h.accounts.create(anAccount({ username: 'bob-01' as Username })))
      expect(await left(h.accounts.create(anAccount({ username: 'BOB-01' as Username })))).to.deep.equal(
        usernameTaken,
      )
    })

    it('saves a new key bundle and version when the expected version matches', async () => {
      const account = anAccount()
      await right(h.accounts.create(account))
      const updated = { ...account, keyBundle: aKeyBundle(), keyBundleVersion: 2 }
      await right(h.accounts.save(updated, 1))
      expect(await h.accounts.findById(account.accountId)()).to.deep.equal(E.right(O.some(updated)))
    })

    it('saves a disabled flag and a new quota limit without changing the version', async () => {
      const account = anAccount()
      await right(h.accounts.create(account))
      const changed = { ...account, disabledAt: O.some(at(5)), quotaLimitBytes: 12345 }
      await right(h.accounts.save(changed, account.keyBundleVersion))
      expect(await h.accounts.findById(account.accountId)()).to.deep.equal(E.right(O.some(changed)))
    })

    it('refuses a save with a stale version, reports the stored one and changes nothing', async () => {
      const account = anAccount({ keyBundleVersion: 3 })
      await right(h.accounts.create(account))
      const stale = { ...account, keyBundle: aKeyBundle(), keyBundleVersion: 3 }
      expect(await left(h.accounts.save(stale, 2))).to.deep.equal(versionMismatch(3))
      expect(await h.accounts.findById(account.accountId)()).to.deep.equal(E.right(O.some(account)))
    })

    it('deletes the account with its devices, backups and audit trail, and nothing of another account', async () => {
      const [gone, kept] = [anAccount(), anAccount()]
      for (const account of [gone, kept]) {
        await right(h.accounts.create(account))
        const device = aDevice(account.accountId)
        await right(h.devices.add(device))
        await right(h.backups.insert(aBackup(account.accountId, device.deviceId)))
        await right(h.audit.append(anAuditDraft(account.accountId), at()))
      }
      await right(h.accounts.delete(gone.accountId))
      const none = { limit: 10, cursor: O.none }
      const allBackups = { ...none, deviceId: O.none, trash: false }
      expect(await h.accounts.findById(gone.accountId)()).to.deep.equal(E.right(O.none))
      expect(await right(h.devices.list(gone.accountId))).to.have.length(0)
      expect(await right(h.backups.list(gone.accountId, allBackups))).to.have.length(0)
      expect(await right(h.audit.list(gone.accountId, none))).to.have.length(0)
      expect(await h.accounts.findById(kept.accountId)()).to.deep.equal(E.right(O.some(kept)))
      expect(await right(h.devices.list(kept.accountId))).to.have.length(1)
      expect(await right(h.backups.list(kept.accountId, allBackups))).to.have.length(1)
      expect(await right(h.audit.list(kept.accountId, none))).to.have.length(1)
    })

    it('does nothing until the task is run', async () => {
      const account = anAccount()
      const create = h.accounts.create(account)
      expect(await h.accounts.findById(account.accountId)()).to.deep.equal(E.right(O.none))
      await right(create)
      expect(await h.accounts.findById(account.accountId)()).to.deep.equal(E.right(O.some(account)))
    })
  })
