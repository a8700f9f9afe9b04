import { createHash, randomBytes } from 'node:crypto'
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import sinon from 'sinon'
import * as TE from 'fp-ts/TaskEither'
import type { Caller } from '../../application/context'
import { unavailable } from '../../application/errors'
import type { RotateKeysInput } from '../../application/accounts'
import type { Backup } from '../../domain/backup'
import { firstBrokenLink } from '../../domain/audit'
import {
  backupNotFound,
  invalidCursor,
  notInTrash,
  rangeNotSatisfiable,
  rotationIncomplete,
  rotationUnknownBackups,
  versionMismatch,
} from '../../domain/errors'
import { rotationDuplicateBackups } from '../../domain/rotation-errors'
import { aBackupId } from '../support/builders'
import { days } from '../support/controllable-clock'
import { type InMemoryZkeb, inMemoryZkeb } from '../support/in-memory-zkeb'
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

const collect = async (chunks: AsyncIterable<Uint8Array>): Promise<Buffer> => {
  const parts: Uint8Array[] = []
  for await (const c of chunks) parts.push(c)
  return Buffer.concat(parts)
}
type Version = RotateKeysInput['expectedVersion']
const wrapped = () => randomBytes(60).toString('base64url') as Backup['wrappedKey']

describe('backups after upload', () => {
  let z: InMemoryZkeb
  let caller: Caller
  let stranger: Caller
  let key: DeviceKey
  let deviceId: Backup['deviceId']

  const uploaded = async (content: Uint8Array = randomBytes(1000)) => {
    const up = anUpload(deviceId, key, { content })
    z.clock.advance(1000)
    return (await ok(z.useCases.uploadBackup(up.input, inPieces(up.content), caller))).backup
  }
  const list = (input: object, who = caller) =>
    z.useCases.listBackups({ limit: 50, trash: false, ...input } as never, who)

  afterEach(() => sinon.restore())
  beforeEach(async () => {
    z = await inMemoryZkeb()
    caller = await callerFor(z.useCases, await register(z.useCases))
    stranger = await callerFor(z.useCases, await register(z.useCases))
    ;({
      device: { deviceId },
      key,
    } = await addDevice(z.useCases, caller))
  })

  it('lists newest first across pages, with a cursor only while more remain', async () => {
    const made = [await uploaded(), await uploaded(), await uploaded()]
    const first = await ok(list({ limit: 2 }))
    expect(first.items.map((b) => b.backupId)).to.deep.equal([made[2]!.backupId, made[1]!.backupId])
    const second = await ok(list({ limit: 2, cursor: first.nextCursor! }))
    expect(second.items.map((b) => b.backupId)).to.deep.equal([made[0]!.backupId])
    expect(second.nextCursor).to.equal(null)
  })

  it('refuses a cursor it did not issue', async () => {
    expect(await fails(list({ cursor: 'bm90LWEtY3Vyc29y' }))).to.deep.equal(invalidCursor)
    expect(await fails(z.useCases.listAudit({ limit: 5, cursor: 'zzz' } as never, caller))).to.deep.equal(
      invalidCursor,
    )
  })

  it("never shows or serves one account's backup to another", async () => {
    const backup = await uploaded()
    const ref = { backupId: backup.backupId }
    expect(await fails(z.useCases.getBackup(ref, stranger))).to.deep.equal(backupNotFound(backup.backupId))
    expect(await fails(z.useCases.downloadBackup(ref, stranger))).to.deep.equal(
      backupNotFound(backup.backupId),
    )
    expect(await fails(z.useCases.trashBackup(ref, stranger))).to.deep.equal(backupNotFound(backup.backupId))
    expect(await fails(z.useCases.restoreBackup(ref, stranger))).to.deep.equal(
      backupNotFound(backup.backupId),
    )
    expect((await ok(list({}, stranger))).items).to.deep.equal([])
    expect(await ok(z.useCases.getBackup(ref, caller))).to.deep.equal(backup)
  })

  it('serves an inclusive byte range and refuses one past the end', async () => {
    const content = randomBytes(1000)
    const backup = await uploaded(content)
    const ref = { backupId: backup.backupId }
    const part = await ok(z.useCases.downloadBackup({ ...ref, range: { start: 10, end: 19 } }, caller))
    expect(part.range).to.deep.equal({ start: 10, end: 19 })
    expect(await collect(part.content)).to.deep.equal(content.subarray(10, 20))
    for (const range of [
      { start: 0, end: 1000 },
      { start: 5, end: 4 },
      { start: -1, end: 3 },
    ]) {
      expect(await fails(z.useCases.downloadBackup({ ...ref, range }, caller))).to.deep.equal(
        rangeNotSatisfiable(1000),
      )
    }
  })

  it('moves a backup to the trash and back, listing it in one place at a time', async () => {
    const backup = await uploaded()
    const ref = { backupId: backup.backupId }
    await ok(z.useCases.trashBackup(ref, caller))
    await ok(z.useCases.trashBackup(ref, caller))
    expect((await ok(list({}))).items).to.deep.equal([])
    expect((await ok(list({ trash: true }))).items.map((b) => b.backupId)).to.deep.equal([backup.backupId])
    expect(await collect((await ok(z.useCases.downloadBackup(ref, caller))).content)).to.have.length(1000)
    const restored = await ok(z.useCases.restoreBackup(ref, caller))
    expect(restored.deletedAt).to.deep.equal(O.none)
    expect(await fails(z.useCases.restoreBackup(ref, caller))).to.deep.equal(notInTrash(backup.backupId))
    expect((await ok(list({}))).items.map((b) => b.backupId)).to.deep.equal([backup.backupId])
  })

  it('purges trash only after the retention window, blob and record, and frees the quota', async () => {
    const kept = await uploaded()
    const doomed = await uploaded()
    await ok(z.useCases.trashBackup({ backupId: doomed.backupId }, caller))
    z.clock.advance(days(30) - 1)
    expect(await ok(z.useCases.purgeExpiredTrash())).to.deep.equal({ purged: 0 })
    z.clock.advance(1)
    expect(await ok(z.useCases.purgeExpiredTrash())).to.deep.equal({ purged: 1 })
    expect(await fails(z.useCases.getBackup({ backupId: doomed.backupId }, caller))).to.deep.equal(
      backupNotFound(doomed.backupId),
    )
    const gone = await collect(z.ports.blobs.read(caller.accountId, doomed.blobId)).then(
      () => false,
      () => true,
    )
    expect(gone).to.equal(true)
    expect((await ok(z.useCases.getAccount(caller))).quota.usedBytes).to.equal(kept.sizeBytes)
  })

  it('stops purging at the first failure and reports it', async () => {
    await ok(z.useCases.trashBackup({ backupId: (await uploaded()).backupId }, caller))
    z.clock.advance(days(31))
    const down = unavailable('blobs')(new Error('down'))
    sinon.stub(z.ports.blobs, 'delete').returns(TE.left(down))
    expect(await fails(z.useCases.purgeExpiredTrash())).to.deep.equal(down)
  })

  it('rotates every backup key at once, live and trashed', async () => {
    const a = await uploaded()
    const b = await uploaded()
    const trashed = await uploaded()
    await ok(z.useCases.trashBackup({ backupId: trashed.backupId }, caller))
    const newKey = wrapped()
    const input = {
      expectedVersion: 1 as Version,
      keyBundle: aRandomKeyBundle(),
      wrappedKeys: [
        { backupId: a.backupId, wrappedKey: newKey },
        { backupId: b.backupId, wrappedKey: wrapped() },
      ],
    }
    expect(await fails(z.useCases.rotateKeys(input, caller))).to.deep.equal(
      rotationIncomplete([trashed.backupId]),
    )
    const trashedKey = wrapped()
    const out = await ok(
      z.useCases.rotateKeys(
        {
          ...input,
          wrappedKeys: [...input.wrappedKeys, { backupId: trashed.backupId, wrappedKey: trashedKey }],
        },
        caller,
      ),
    )
    expect(out).to.deep.equal({ keyBundleVersion: 2 })
    expect((await ok(z.useCases.getBackup({ backupId: a.backupId }, caller))).wrappedKey).to.equal(newKey)
    await ok(z.useCases.restoreBackup({ backupId: trashed.backupId }, caller))
    expect((await ok(z.useCases.getBackup({ backupId: trashed.backupId }, caller))).wrappedKey).to.equal(
      trashedKey,
    )
    expect((await ok(z.useCases.getAccount(caller))).keyBundleVersion).to.equal(2)
    const later = await uploaded()
    expect(later.keyVersion).to.equal(2)
  })

  it('refuses a rotation naming a backup twice with the paths of the repeats, and changes nothing', async () => {
    const a = await uploaded()
    const input = {
      expectedVersion: 1 as Version,
      keyBundle: aRandomKeyBundle(),
      wrappedKeys: [
        { backupId: a.backupId, wrappedKey: wrapped() },
        { backupId: a.backupId, wrappedKey: wrapped() },
      ],
    }
    expect(await fails(z.useCases.rotateKeys(input, caller))).to.deep.equal(
      rotationDuplicateBackups(['wrappedKeys.1.backupId']),
    )
    expect((await ok(z.useCases.getBackup({ backupId: a.backupId }, caller))).wrappedKey).to.equal(
      a.wrappedKey,
    )
    expect((await ok(z.useCases.getAccount(caller))).keyBundleVersion).to.equal(1)
  })

  it('refuses a rotation that misses a live backup or names a foreign one, and changes nothing', async () => {
    const a = await uploaded()
    const b = await uploaded()
    const keyBundle = aRandomKeyBundle()
    const missing: RotateKeysInput = {
      expectedVersion: 1 as Version,
      keyBundle,
      wrappedKeys: [{ backupId: a.backupId, wrappedKey: wrapped() }],
    }
    expect(await fails(z.useCases.rotateKeys(missing, caller))).to.deep.equal(
      rotationIncomplete([b.backupId]),
    )
    const foreign = aBackupId()
    const extra = {
      ...missing,
      wrappedKeys: [
        ...missing.wrappedKeys,
        { backupId: b.backupId, wrappedKey: wrapped() },
        { backupId: foreign, wrappedKey: wrapped() },
      ],
    }
    expect(await fails(z.useCases.rotateKeys(extra, caller))).to.deep.equal(rotationUnknownBackups([foreign]))
    expect(
      await fails(z.useCases.rotateKeys({ ...extra, expectedVersion: 0 as Version }, caller)),
    ).to.deep.equal(versionMismatch(1))
    expect((await ok(z.useCases.getBackup({ backupId: a.backupId }, caller))).wrappedKey).to.equal(
      a.wrappedKey,
    )
    expect((await ok(z.useCases.getAccount(caller))).keyBundleVersion).to.equal(1)
  })

  it('keeps an audit chain that verifies, oldest first, across pages', async () => {
    const backup = await uploaded()
    await ok(z.useCases.trashBackup({ backupId: backup.backupId }, caller))
    await ok(z.useCases.restoreBackup({ backupId: backup.backupId }, caller))
    const first = await ok(z.useCases.listAudit({ limit: 3 } as never, caller))
    const rest = await ok(z.useCases.listAudit({ limit: 50, cursor: first.nextCursor! } as never, caller))
    const events = [...first.items, ...rest.items]
    expect(events.map((e) => e.type)).to.deep.equal([
      'registered',
      'login',
      'device-added',
      'backup-uploaded',
      'backup-deleted',
      'backup-restored',
    ])
    const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
    expect(firstBrokenLink(events, sha256Hex)).to.equal(-1)
    expect(firstBrokenLink([events[0]!, ...events.slice(2)], sha256Hex)).to.equal(1)
  })

  it('reports a failing repository as Unavailable', async () => {
    const down = unavailable('postgres')(new Error('down'))
    sinon.stub(z.ports.backups, 'list').returns(TE.left(down))
    expect(await fails(list({}))).to.deep.equal(down)
  })
})
