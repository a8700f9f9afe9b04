import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import type { Caller } from '../../application/context'
import type { Backup } from '../../domain/backup'
import { rotationIncompleteOf, rotationUnknownBackups, versionMismatch } from '../../domain/errors'
import type { KeyRotationId } from '../../domain/key-rotation'
import {
  keyRotationInProgress,
  keyRotationNotFound,
  rotationDuplicateBackups,
} from '../../domain/rotation-errors'
import { snapshotKeyNotRotated } from '../../domain/snapshot-errors'
import { aBackupId } from '../support/builders'
import { days } from '../support/controllable-clock'
import { type InMemoryZkeb, inMemoryZkeb } from '../support/in-memory-zkeb'
import { postgresZkeb } from '../support/postgres-zkeb'
import {
  addDevice,
  anUpload,
  aRandomKeyBundle,
  callerFor,
  type DeviceKey,
  fails,
  inPieces,
  ok,
  register,
} from '../support/test-client'

type Version = Parameters<InMemoryZkeb['useCases']['beginKeyRotation']>[0]['expectedVersion']
const wrapped = () => randomBytes(60).toString('base64url') as Backup['wrappedKey']
const twins: ReadonlyArray<[string, () => Promise<InMemoryZkeb & { db?: { drop: () => Promise<void> } }>]> = [
  ['in-memory @memory', () => inMemoryZkeb()],
  ['PostgreSQL', () => postgresZkeb()],
]

for (const [name, make] of twins)
  describe(`staged key rotation (${name})`, function () {
    this.timeout(60_000)
    let z: InMemoryZkeb & { db?: { drop: () => Promise<void> } }
    let caller: Caller
    let key: DeviceKey
    let deviceId: Backup['deviceId']

    const uploaded = async () => {
      const up = anUpload(deviceId, key, { content: randomBytes(100) })
      z.clock.advance(1000)
      return (await ok(z.useCases.uploadBackup(up.input, inPieces(up.content), caller))).backup
    }
    const begin = (expectedVersion = 1) =>
      ok(
        z.useCases.beginKeyRotation(
          { expectedVersion: expectedVersion as Version, keyBundle: aRandomKeyBundle() },
          caller,
        ),
      )
    const stage = (rotationId: KeyRotationId, backups: ReadonlyArray<Backup>, keys = backups.map(wrapped)) =>
      z.useCases.stageRotationKeys(
        {
          rotationId,
          wrappedKeys: backups.map((b, i) => ({ backupId: b.backupId, wrappedKey: keys[i]! })),
        },
        caller,
      )
    const commit = (rotationId: KeyRotationId, extra: object = {}) =>
      z.useCases.commitKeyRotation({ rotationId, ...extra }, caller)
    const keyOf = async (b: Backup) =>
      (await ok(z.useCases.getBackup({ backupId: b.backupId }, caller))).wrappedKey
    const rotatedEvents = async () =>
      (await ok(z.useCases.listAudit({ limit: 200 } as never, caller))).items.filter(
        (e) => e.type === 'key-rotated',
      )

    beforeEach(async () => {
      z = await make()
      caller = await callerFor(z.useCases, await register(z.useCases))
      ;({
        device: { deviceId },
        key,
      } = await addDevice(z.useCases, caller))
    })
    afterEach(async () => z.db?.drop())

    it('stages pages in any order, a retried page replacing its keys, and commits every backup at once', async () => {
      const [a, b, c] = [await uploaded(), await uploaded(), await uploaded()]
      await ok(z.useCases.trashBackup({ backupId: c.backupId }, caller))
      const started = await begin()
      expect(started.backupCount).to.equal(3)
      expect(await keyOf(a)).to.equal(a.wrappedKey)
      const first = await ok(
        z.useCases.listPendingKeys({ rotationId: started.rotationId, limit: 2 } as never, caller),
      )
      expect(first.items).to.have.length(2)
      const rest = await ok(
        z.useCases.listPendingKeys(
          { rotationId: started.rotationId, limit: 2, after: first.nextAfter! } as never,
          caller,
        ),
      )
      expect([...first.items, ...rest.items].map((i) => i.backupId).sort()).to.deep.equal(
        [a, b, c].map((x) => x.backupId).sort(),
      )
      expect(rest.nextAfter).to.equal(null)
      const final = [wrapped(), wrapped(), wrapped()]
      await ok(stage(started.rotationId, [c]))
      await ok(stage(started.rotationId, [c, b], [final[2]!, final[1]!]))
      expect((await ok(z.useCases.getKeyRotation(caller))).stagedCount).to.equal(2)
      await ok(stage(started.rotationId, [a], [final[0]!]))
      expect(await ok(commit(started.rotationId))).to.deep.equal({ keyBundleVersion: 2 })
      expect([await keyOf(a), await keyOf(b), await keyOf(c)]).to.deep.equal(final)
      expect((await ok(z.useCases.getAccount(caller))).keyBundleVersion).to.equal(2)
      expect(await rotatedEvents()).to.have.length(1)
      expect(await fails(z.useCases.getKeyRotation(caller))).to.deep.equal(keyRotationNotFound)
      expect(await fails(commit(started.rotationId))).to.deep.equal(keyRotationNotFound)
    })

    it('refuses a commit while a backup uploaded during the rotation has no key, then takes it', async () => {
      const a = await uploaded()
      const { rotationId } = await begin()
      await ok(stage(rotationId, [a]))
      const late = await uploaded()
      expect(await fails(commit(rotationId))).to.deep.equal(rotationIncompleteOf([late.backupId], 1))
      expect(await rotatedEvents()).to.have.length(0)
      const pending = await ok(z.useCases.listPendingKeys({ rotationId, limit: 10 } as never, caller))
      expect(pending.items).to.deep.equal([{ backupId: late.backupId, wrappedKey: late.wrappedKey }])
      await ok(stage(rotationId, [late]))
      await ok(commit(rotationId))
      expect(await rotatedEvents()).to.have.length(1)
    })

    it('runs one rotation at a time; an idle one expires and another may begin', async () => {
      const a = await uploaded()
      const first = await begin()
      expect(
        await fails(
          z.useCases.beginKeyRotation(
            { expectedVersion: 1 as Version, keyBundle: aRandomKeyBundle() },
            caller,
          ),
        ),
      ).to.deep.equal(keyRotationInProgress(first.rotationId))
      z.clock.advance(days(1) - 1000)
      await ok(stage(first.rotationId, [a]))
      z.clock.advance(days(1) - 1000)
      expect((await ok(z.useCases.getKeyRotation(caller))).rotationId).to.equal(first.rotationId)
      z.clock.advance(2000)
      expect(await fails(stage(first.rotationId, [a]))).to.deep.equal(keyRotationNotFound)
      const second = await begin()
      expect(second.rotationId).not.to.equal(first.rotationId)
      expect((await ok(z.useCases.getKeyRotation(caller))).stagedCount).to.equal(0)
    })

    it('aborts without touching a key, and refuses a commit after the key bundle changed', async () => {
      const a = await uploaded()
      const first = await begin()
      await ok(stage(first.rotationId, [a]))
      await ok(z.useCases.abortKeyRotation({ rotationId: first.rotationId }, caller))
      expect(await keyOf(a)).to.equal(a.wrappedKey)
      expect(await fails(commit(first.rotationId))).to.deep.equal(keyRotationNotFound)
      const second = await begin()
      await ok(stage(second.rotationId, [a]))
      await ok(
        z.useCases.updateKeyBundle({ expectedVersion: 1 as Version, keyBundle: aRandomKeyBundle() }, caller),
      )
      expect(await fails(commit(second.rotationId))).to.deep.equal(versionMismatch(2))
      expect(await keyOf(a)).to.equal(a.wrappedKey)
      expect(await rotatedEvents()).to.have.length(0)
    })

    it('refuses a page naming a backup twice or one the account does not store', async () => {
      const a = await uploaded()
      const { rotationId } = await begin()
      expect(await fails(stage(rotationId, [a, a]))).to.deep.equal(
        rotationDuplicateBackups(['wrappedKeys.1.backupId']),
      )
      const foreign = aBackupId()
      expect(
        await fails(
          z.useCases.stageRotationKeys(
            { rotationId, wrappedKeys: [{ backupId: foreign, wrappedKey: wrapped() }] as never },
            caller,
          ),
        ),
      ).to.deep.equal(rotationUnknownBackups([foreign]))
      expect((await ok(z.useCases.getKeyRotation(caller))).stagedCount).to.equal(0)
    })

    it('requires the snapshot key re-wrapped when the account has one, and swaps it with the rest', async () => {
      await ok(
        z.useCases.putSnapshotKey({ wrappedKey: randomBytes(60).toString('base64url') } as never, caller),
      )
      const { rotationId } = await begin()
      expect(await fails(commit(rotationId))).to.deep.equal(snapshotKeyNotRotated)
      const snapshotKey = randomBytes(60).toString('base64url')
      await ok(commit(rotationId, { snapshotKey }))
      expect((await ok(z.useCases.getSnapshotKey(caller))).wrappedKey).to.equal(snapshotKey)
    })
  })
