/** The BackupRepository contract, run against every adapter. */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import type { BackupQuery } from '../../application/ports/backup-repository'
import type { Backup } from '../../domain/backup'
import { backupExists, rotationIncomplete, rotationUnknownBackups } from '../../domain/errors'
import type { AccountId, DeviceId } from '../../domain/ids'
import {
  aBackup,
  aBackupId,
  aBlobId,
  aDeviceId,
  anAccount,
  anAccountId,
  at,
  opaqueBytes,
} from '../support/persistence-builders'
import { left, type PersistenceHarness, right, usedBytes } from './harness'

const page = (overrides: Partial<BackupQuery> = {}): BackupQuery => ({
  limit: 50,
  cursor: O.none,
  deviceId: O.none,
  trash: false,
  ...overrides,
})

export const backupRepositoryContract = (
  name: string,
  setUp: () => Promise<PersistenceHarness>,
): Mocha.Suite =>
  describe(`BackupRepository contract (${name})`, () => {
    let h: PersistenceHarness
    before(async () => {
      h = await setUp()
    })
    beforeEach(() => h.reset())
    after(() => h.close())

    /** An account with one device; backups may name any device id (the record does not reference devices). */
    const givenAccount = async (): Promise<{ accountId: AccountId; deviceId: DeviceId }> => {
      const account = anAccount()
      await right(h.accounts.create(account))
      return { accountId: account.accountId, deviceId: aDeviceId() }
    }
    const committed = async (accountId: AccountId, deviceId: DeviceId, overrides: Partial<Backup> = {}) => {
      const backup = aBackup(accountId, deviceId, overrides)
      await right(h.backups.insert(backup))
      return backup
    }

    it('finds a committed backup with every field, times to the millisecond', async () => {
      const { accountId, deviceId } = await givenAccount()
      const parent = await committed(accountId, deviceId)
      const backup = await committed(accountId, deviceId, {
        parentId: O.some(parent.backupId),
        createdAt: at(7),
      })
      expect(await h.backups.find(accountId, backup.backupId)()).to.deep.equal(E.right(O.some(backup)))
    })

    it("finds nothing for an unknown id and for another account's backup alike", async () => {
      const { accountId, deviceId } = await givenAccount()
      const backup = await committed(accountId, deviceId)
      const other = await givenAccount()
      expect(await h.backups.find(accountId, aBackupId())()).to.deep.equal(E.right(O.none))
      expect(await h.backups.find(other.accountId, backup.backupId)()).to.deep.equal(E.right(O.none))
    })

    it('refuses an id already taken in the account, but not in another account', async () => {
      const { accountId, deviceId } = await givenAccount()
      const backup = await committed(accountId, deviceId)
      const again = aBackup(accountId, deviceId, { backupId: backup.backupId })
      expect(await left(h.backups.insert(again))).to.deep.equal(backupExists(backup.backupId))
      const other = await givenAccount()
      await right(h.backups.insert(aBackup(other.accountId, other.deviceId, { backupId: backup.backupId })))
    })

    it('refuses a backup of an account that does not exist', async () => {
      const { deviceId } = await givenAccount()
      const orphan = aBackup(anAccountId(), deviceId)
      expect((await left(h.backups.insert(orphan)))._tag).to.equal('Unavailable')
    })

    it('finds several ids at once, live or trashed, and nothing of another account', async () => {
      const { accountId, deviceId } = await givenAccount()
      const live = await committed(accountId, deviceId)
      const trashed = await committed(accountId, deviceId, { deletedAt: O.some(at(3)) })
      const other = await givenAccount()
      const theirs = await committed(other.accountId, other.deviceId)
      const found = await right(
        h.backups.findMany(accountId, [live.backupId, trashed.backupId, theirs.backupId, aBackupId()]),
      )
      const byId = (x: Backup, y: Backup) => (x.backupId < y.backupId ? -1 : 1)
      expect([...found].sort(byId)).to.deep.equal([live, trashed].sort(byId))
      expect(await right(h.backups.findMany(accountId, [aBackupId()]))).to.deep.equal([])
    })

    it('lists newest first by (createdAt, backupId) and returns up to limit + 1 rows', async () => {
      const { accountId, deviceId } = await givenAccount()
      const backups = []
      for (const offset of [0, 5, 5, 5, 9])
        backups.push(await committed(accountId, deviceId, { createdAt: at(offset) }))
      const expected = [...backups].sort(
        (x, y) => y.createdAt.getTime() - x.createdAt.getTime() || (x.backupId < y.backupId ? 1 : -1),
      )
      expect(await right(h.backups.list(accountId, page({ limit: 2 })))).to.deep.equal(expected.slice(0, 3))
      expect(await right(h.backups.list(accountId, page()))).to.deep.equal(expected)
    })

    it('pages through every backup exactly once even while newer ones arrive', async () => {
      const { accountId, deviceId } = await givenAccount()
      const ids = new Set<string>()
      for (let i = 0; i < 7; i++)
        ids.add((await committed(accountId, deviceId, { createdAt: at(i % 3) })).backupId)
      const seen: string[] = []
      let cursor: BackupQuery['cursor'] = O.none
      for (let round = 0; round < 10; round++) {
        const rows = await right(h.backups.list(accountId, page({ limit: 3, cursor })))
        seen.push(...rows.slice(0, 3).map((b) => b.backupId))
        await committed(accountId, deviceId, { createdAt: at(1000 + round) })
        const last = rows[2]
        if (rows.length <= 3 || last === undefined) break
        cursor = O.some({ at: last.createdAt, id: last.backupId })
      }
      expect(seen).to.have.members([...ids])
      expect(seen).to.have.length(ids.size)
    })

    it('lists the trash or the live backups, optionally of one device', async () => {
      const { accountId, deviceId } = await givenAccount()
      const otherDevice = (await givenAccount()).deviceId
      const live = await committed(accountId, deviceId, { createdAt: at(1) })
      const trashed = await committed(accountId, deviceId, { deletedAt: O.some(at(2)) })
      const elsewhere = await committed(accountId, otherDevice, { createdAt: at(3) })
      expect(await right(h.backups.list(accountId, page()))).to.deep.equal([elsewhere, live])
      expect(await right(h.backups.list(accountId, page({ trash: true })))).to.deep.equal([trashed])
      expect(await right(h.backups.list(accountId, page({ deviceId: O.some(deviceId) })))).to.deep.equal([
        live,
      ])
    })

    it('moves a backup to the trash and back', async () => {
      const { accountId, deviceId } = await givenAccount()
      const backup = await committed(accountId, deviceId)
      await right(h.backups.setDeletedAt(accountId, backup.backupId, O.some(at(42))))
      expect(await h.backups.find(accountId, backup.backupId)()).to.deep.equal(
        E.right(O.some({ ...backup, deletedAt: O.some(at(42)) })),
      )
      await right(h.backups.setDeletedAt(accountId, backup.backupId, O.none))
      expect(await h.backups.find(accountId, backup.backupId)()).to.deep.equal(E.right(O.some(backup)))
    })

    it("does not touch another account's backup", async () => {
      const { accountId, deviceId } = await givenAccount()
      const backup = await committed(accountId, deviceId)
      const other = await givenAccount()
      await right(h.backups.setDeletedAt(other.accountId, backup.backupId, O.some(at())))
      await right(h.backups.remove(other.accountId, backup.backupId))
      expect(await h.backups.find(accountId, backup.backupId)()).to.deep.equal(E.right(O.some(backup)))
    })

    describe('rewrapKeys', () => {
      const givenBackups = async () => {
        const { accountId, deviceId } = await givenAccount()
        const live = await committed(accountId, deviceId)
        const trashed = await committed(accountId, deviceId, { deletedAt: O.some(at()) })
        return { accountId, live, trashed }
      }
      const rewrap = (backup: Backup) => ({
        backupId: backup.backupId,
        wrappedKey: opaqueBytes<Backup['wrappedKey']>(61),
      })

      it('replaces every named wrapped key, stamped with the new key version', async () => {
        const { accountId, live, trashed } = await givenBackups()
        const wrappedKeys = [rewrap(live), rewrap(trashed)]
        await right(h.backups.rewrapKeys(accountId, 2, wrappedKeys))
        for (const [backup, { wrappedKey }] of [
          [live, wrappedKeys[0]!],
          [trashed, wrappedKeys[1]!],
        ] as const) {
          expect(await h.backups.find(accountId, backup.backupId)()).to.deep.equal(
            E.right(O.some({ ...backup, wrappedKey, keyVersion: 2 })),
          )
        }
      })

      it('refuses a rotation that leaves a trashed backup out and changes nothing', async () => {
        const { accountId, live, trashed } = await givenBackups()
        expect(await left(h.backups.rewrapKeys(accountId, 2, [rewrap(live)]))).to.deep.equal(
          rotationIncomplete([trashed.backupId]),
        )
        expect(await h.backups.find(accountId, live.backupId)()).to.deep.equal(E.right(O.some(live)))
      })

      it('refuses a rotation that misses a live backup and changes nothing', async () => {
        const { accountId, live, trashed } = await givenBackups()
        expect(await left(h.backups.rewrapKeys(accountId, 2, [rewrap(trashed)]))).to.deep.equal(
          rotationIncomplete([live.backupId]),
        )
        expect(await h.backups.find(accountId, trashed.backupId)()).to.deep.equal(E.right(O.some(trashed)))
      })

      it("refuses a rotation naming an unknown or another account's backup and changes nothing", async () => {
        const { accountId, live, trashed } = await givenBackups()
        const other = await givenAccount()
        const foreign = await committed(other.accountId, other.deviceId)
        const named = [rewrap(live), rewrap(trashed), rewrap(foreign)]
        expect(await left(h.backups.rewrapKeys(accountId, 2, named))).to.deep.equal(
          rotationUnknownBackups([foreign.backupId]),
        )
        expect(await h.backups.find(accountId, live.backupId)()).to.deep.equal(E.right(O.some(live)))
        expect(await h.backups.find(other.accountId, foreign.backupId)()).to.deep.equal(
          E.right(O.some(foreign)),
        )
      })
    })

    it('names trashed backups of every account due by the cutoff, oldest first, up to the limit', async () => {
      const [a, b] = [await givenAccount(), await givenAccount()]
      const first = await committed(a.accountId, a.deviceId, { deletedAt: O.some(at(-3000)) })
      const second = await committed(b.accountId, b.deviceId, { deletedAt: O.some(at(-2000)) })
      const atCutoff = await committed(a.accountId, a.deviceId, { deletedAt: O.some(at(-1000)) })
      await committed(b.accountId, b.deviceId, { deletedAt: O.some(at(-999)) })
      await committed(a.accountId, a.deviceId)
      const candidate = ({ accountId, backupId, blobId }: Backup) => ({ accountId, backupId, blobId })
      expect(await right(h.backups.dueForPurge(at(-1000), 10))).to.deep.equal(
        [first, second, atCutoff].map(candidate),
      )
      expect(await right(h.backups.dueForPurge(at(-1000), 2))).to.deep.equal([first, second].map(candidate))
    })

    it('tells which blobs a live or trashed backup of their own account names, across accounts', async () => {
      const [a, b] = [await givenAccount(), await givenAccount()]
      const live = await committed(a.accountId, a.deviceId)
      const trashed = await committed(b.accountId, b.deviceId, { deletedAt: O.some(at(-5000)) })
      const removed = await committed(a.accountId, a.deviceId)
      await right(h.backups.remove(a.accountId, removed.backupId))
      const ref = ({ accountId, blobId }: Backup) => ({ accountId, blobId })
      const asked = [
        ref(live),
        { accountId: b.accountId, blobId: live.blobId }, // the right blob id under the wrong account
        ref(removed),
        ref(trashed),
        { accountId: a.accountId, blobId: aBlobId() },
      ]
      const named = await right(h.backups.referencedBlobs(asked))
      const order = (x: { blobId: string }, y: { blobId: string }) => (x.blobId < y.blobId ? -1 : 1)
      expect([...named].sort(order)).to.deep.equal([ref(live), ref(trashed)].sort(order))
      expect(await right(h.backups.referencedBlobs([]))).to.deep.equal([])
    })

    it('removes a record', async () => {
      const { accountId, deviceId } = await givenAccount()
      const backup = await committed(accountId, deviceId, { sizeBytes: 10 })
      await right(h.backups.remove(accountId, backup.backupId))
      expect(await h.backups.find(accountId, backup.backupId)()).to.deep.equal(E.right(O.none))
      expect(await usedBytes(h, accountId)).to.equal(0)
    })

    it('does nothing until the task is run', async () => {
      const { accountId, deviceId } = await givenAccount()
      const backup = aBackup(accountId, deviceId)
      const insert = h.backups.insert(backup)
      expect(await h.backups.find(accountId, backup.backupId)()).to.deep.equal(E.right(O.none))
      await right(insert)
      expect(await h.backups.find(accountId, backup.backupId)()).to.deep.equal(E.right(O.some(backup)))
    })
  })
