/**
 * The BackupRepository contract's upload part (precheckUpload, commitUpload), run inside the backup
 * repository's suite against every adapter: what an upload reads before streaming, in one go, and what its
 * commit records besides the backup, all or nothing.
 */
import { createHash } from 'node:crypto'
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import type { UploadRecords } from '../../application/ports/backup-repository'
import { type AuditEvent, firstBrokenLink, genesisHash } from '../../domain/audit'
import type { Device } from '../../domain/device'
import { backupExists, quotaExceeded } from '../../domain/errors'
import type { AccountId } from '../../domain/ids'
import {
  aBackup,
  aBackupId,
  aDevice,
  aDeviceId,
  anAccount,
  anAuditDraft,
  at,
} from '../support/persistence-builders'
import { left, type PersistenceHarness, right } from './harness'

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')
const roomy = 1024 ** 3
const everything = { limit: 1000, cursor: O.none }

export const backupRepositoryUploadContract = (harness: () => PersistenceHarness): Mocha.Suite =>
  describe('uploads: precheckUpload and commitUpload', () => {
    const h = () => harness()

    const givenDevice = async (overrides: Partial<Device> = {}): Promise<Device> => {
      const account = anAccount()
      await right(h().accounts.create(account))
      const device = aDevice(account.accountId, { lastSeenAt: at(), ...overrides })
      await right(h().devices.add(device))
      return device
    }
    const storedDevice = async (device: Device) =>
      O.toUndefined(await right(h().devices.find(device.accountId, device.deviceId)))
    const chain = (accountId: AccountId) => right(h().audit.list(accountId, everything))
    const records = (device: Device, offsetMs = 60_000): UploadRecords => ({
      at: at(offsetMs),
      event: anAuditDraft(device.accountId, { type: 'backup-uploaded', deviceId: device.deviceId }),
    })

    describe('precheckUpload', () => {
      it('reads the device, the account, the backup under the id, the parent and the used bytes at once', async () => {
        const device = await givenDevice()
        const parent = aBackup(device.accountId, device.deviceId, { sizeBytes: 600 })
        const existing = aBackup(device.accountId, device.deviceId, {
          sizeBytes: 300,
          deletedAt: O.some(at(1)),
        })
        for (const backup of [parent, existing]) await right(h().backups.commit(backup, roomy))
        const pre = await right(
          h().backups.precheckUpload(device.accountId, {
            deviceId: device.deviceId,
            backupId: existing.backupId,
            parentId: O.some(parent.backupId),
          }),
        )
        const account = await right(h().accounts.findById(device.accountId))
        expect(pre).to.deep.equal({
          device: O.some(device),
          account,
          existing: O.some(existing),
          parentFound: true,
          usedBytes: 900,
        })
      })

      it('finds a free id, no parent named, and an account that stores nothing', async () => {
        const device = await givenDevice()
        const pre = await right(
          h().backups.precheckUpload(device.accountId, {
            deviceId: device.deviceId,
            backupId: aBackupId(),
            parentId: O.none,
          }),
        )
        expect(pre).to.deep.include({ existing: O.none, parentFound: true, usedBytes: 0 })
      })

      it("sees nothing of another account's device, backup or parent, nor an unknown parent", async () => {
        const mine = await givenDevice()
        const theirs = await givenDevice()
        const their = aBackup(theirs.accountId, theirs.deviceId)
        await right(h().backups.commit(their, roomy))
        for (const parentId of [their.backupId, aBackupId()]) {
          const pre = await right(
            h().backups.precheckUpload(mine.accountId, {
              deviceId: theirs.deviceId,
              backupId: their.backupId,
              parentId: O.some(parentId),
            }),
          )
          expect(pre).to.deep.include({ device: O.none, existing: O.none, parentFound: false, usedBytes: 0 })
        }
      })

      it('reports a deleted account and its devices as none', async () => {
        const device = await givenDevice()
        await right(h().accounts.delete(device.accountId))
        const pre = await right(
          h().backups.precheckUpload(device.accountId, {
            deviceId: device.deviceId,
            backupId: aBackupId(),
            parentId: O.none,
          }),
        )
        expect(pre).to.deep.include({ device: O.none, account: O.none })
      })
    })

    describe('commitUpload', () => {
      it('commits the backup, stamps the device as seen and links the event to the chain, together', async () => {
        const device = await givenDevice()
        const [earlier] = [await right(h().audit.append(anAuditDraft(device.accountId), at(1)))]
        const backup = aBackup(device.accountId, device.deviceId)
        const event = await right(h().backups.commitUpload(backup, roomy, records(device)))
        expect(await h().backups.find(device.accountId, backup.backupId)()).to.deep.equal(
          E.right(O.some(backup)),
        )
        expect(await storedDevice(device)).to.deep.equal({ ...device, lastSeenAt: at(60_000) })
        expect(event).to.deep.include({ type: 'backup-uploaded', deviceId: device.deviceId, at: at(60_000) })
        expect(event.prevHash).to.equal(earlier.hash)
        const events = await chain(device.accountId)
        expect(events).to.deep.equal([earlier, event])
        expect(firstBrokenLink(events, sha256Hex)).to.equal(-1)
      })

      it("leaves the device's revocation as stored", async () => {
        const device = await givenDevice({ revokedAt: O.some(at(5)) })
        await right(
          h().backups.commitUpload(aBackup(device.accountId, device.deviceId), roomy, records(device)),
        )
        expect(await storedDevice(device)).to.deep.equal({ ...device, lastSeenAt: at(60_000) })
      })

      it('writes none of the three when the quota refuses the backup', async () => {
        const device = await givenDevice()
        await right(h().backups.commit(aBackup(device.accountId, device.deviceId, { sizeBytes: 900 }), 1000))
        const over = aBackup(device.accountId, device.deviceId, { sizeBytes: 101 })
        expect(await left(h().backups.commitUpload(over, 1000, records(device)))).to.deep.equal(
          quotaExceeded(1000, 900),
        )
        expect(await h().backups.find(device.accountId, over.backupId)()).to.deep.equal(E.right(O.none))
        expect(await storedDevice(device)).to.deep.equal(device)
        expect(await chain(device.accountId)).to.deep.equal([])
      })

      it('writes none of the three when the id is taken, and says so', async () => {
        const device = await givenDevice()
        const first = aBackup(device.accountId, device.deviceId)
        await right(h().backups.commit(first, roomy))
        const again = aBackup(device.accountId, device.deviceId, { backupId: first.backupId })
        expect(await left(h().backups.commitUpload(again, roomy, records(device)))).to.deep.equal(
          backupExists(first.backupId),
        )
        expect(await h().backups.find(device.accountId, first.backupId)()).to.deep.equal(
          E.right(O.some(first)),
        )
        expect(await storedDevice(device)).to.deep.equal(device)
        expect(await chain(device.accountId)).to.deep.equal([])
      })

      it('never forks the chain, nor overdraws the quota, under concurrent uploads of one account', async () => {
        const device = await givenDevice()
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            h().backups.commitUpload(
              aBackup(device.accountId, device.deviceId, { sizeBytes: 100 }),
              1000,
              records(device, i),
            )(),
          ),
        )
        const events: ReadonlyArray<AuditEvent> = await chain(device.accountId)
        expect(results.filter(E.isRight)).to.have.length(10)
        expect(events).to.have.length(10)
        expect(events[0]!.prevHash).to.equal(genesisHash)
        expect(firstBrokenLink(events, sha256Hex)).to.equal(-1)
        expect(await right(h().backups.usedBytes(device.accountId))).to.equal(1000)
      })

      it('does nothing until the task is run', async () => {
        const device = await givenDevice({ deviceId: aDeviceId() })
        const backup = aBackup(device.accountId, device.deviceId)
        const commit = h().backups.commitUpload(backup, roomy, records(device))
        expect(await chain(device.accountId)).to.deep.equal([])
        expect(await h().backups.find(device.accountId, backup.backupId)()).to.deep.equal(E.right(O.none))
        await right(commit)
        expect(await chain(device.accountId)).to.have.length(1)
      })
    })
  })
