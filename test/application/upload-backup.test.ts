import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import sinon from 'sinon'
import * as TE from 'fp-ts/TaskEither'
import type { Caller } from '../../application/context'
import { unavailable } from '../../application/errors'
import { defaultSettings } from '../../application/settings'
import type { UploadBackupInput } from '../../application/backups'
import {
  backupExists,
  badSignature,
  contentHashMismatch,
  contentLengthMismatch,
  deviceNotFound,
  parentNotFound,
  quotaExceeded,
  uploadTooLarge,
} from '../../domain/errors'
import type { BlobId } from '../../domain/ids'
import { aBackupId, aDeviceId } from '../support/builders'
import { type InMemoryZkeb, inMemoryZkeb } from '../support/in-memory-zkeb'
import {
  addDevice,
  aDeviceKey,
  anUpload,
  callerFor,
  type DeviceKey,
  fails,
  inPieces,
  ok,
  register,
} from '../support/test-client'

/** Every blob id the store was asked to write, so tests can check none is left behind. */
const watchBlobs = (z: InMemoryZkeb) => {
  const written: BlobId[] = []
  const write = z.ports.blobs.write
  sinon.stub(z.ports.blobs, 'write').callsFake((accountId, blobId, chunks) => {
    written.push(blobId)
    return write(accountId, blobId, chunks)
  })
  return async (accountId: Caller['accountId']): Promise<number> => {
    let present = 0
    for (const blobId of written) {
      const readable = await (async () => {
        for await (const _ of z.ports.blobs.read(accountId, blobId)) void _
      })().then(
        () => true,
        () => false,
      )
      if (readable) present += 1
    }
    return present
  }
}

async function* throwingAfter(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes.subarray(0, 100)
  await new Promise((resolve) => setImmediate(resolve))
  throw new Error('client went away')
}

describe('uploadBackup', () => {
  let z: InMemoryZkeb
  let caller: Caller
  let deviceId: UploadBackupInput['deviceId']
  let key: DeviceKey
  let storedBlobs: (accountId: Caller['accountId']) => Promise<number>

  const setUp = async (settings = defaultSettings) => {
    z = await inMemoryZkeb({ settings })
    caller = await callerFor(z.useCases, await register(z.useCases))
    ;({
      device: { deviceId },
      key,
    } = await addDevice(z.useCases, caller))
    storedBlobs = watchBlobs(z)
  }
  beforeEach(() => setUp())
  afterEach(() => sinon.restore())

  const upload = (input: UploadBackupInput, content: AsyncIterable<Uint8Array>) =>
    z.useCases.uploadBackup(input, content, caller)

  it('stores a signed upload and serves the same bytes back', async () => {
    const up = anUpload(deviceId, key)
    const { backup, created } = await ok(upload(up.input, inPieces(up.content)))
    expect(created).to.equal(true)
    expect(backup).to.deep.include({
      sizeBytes: 3000,
      sha256: up.input.contentSha256,
      deviceId,
      keyVersion: 1,
    })
    const { content } = await ok(z.useCases.downloadBackup({ backupId: backup.backupId }, caller))
    const parts: Uint8Array[] = []
    for await (const chunk of content) parts.push(chunk)
    expect(Buffer.concat(parts)).to.deep.equal(Buffer.from(up.content))
    expect((await ok(z.useCases.getAccount(caller))).quota.usedBytes).to.equal(3000)
  })

  it('accepts a body of unknown length and records the device as seen', async () => {
    const up = anUpload(deviceId, key)
    const { contentLength: _, ...unannounced } = up.input
    z.clock.advance(60_000)
    await ok(upload(unannounced, inPieces(up.content)))
    const [device] = await ok(z.useCases.listDevices(caller))
    expect(device!.lastSeenAt).to.deep.equal(z.clock.now())
  })

  it('returns the existing record for a retry with the same content, without storing it twice', async () => {
    const up = anUpload(deviceId, key)
    const first = await ok(upload(up.input, inPieces(up.content)))
    const again = await ok(upload(up.input, inPieces(up.content)))
    expect(again).to.deep.equal({ backup: first.backup, created: false })
    expect(await storedBlobs(caller.accountId)).to.equal(1)
  })

  it('refuses the same id with other content', async () => {
    const up = anUpload(deviceId, key)
    await ok(upload(up.input, inPieces(up.content)))
    const other = anUpload(deviceId, key, { backupId: up.input.backupId })
    expect(await fails(upload(other.input, inPieces(other.content)))).to.deep.equal(
      backupExists(up.input.backupId),
    )
  })

  it('adopts a concurrent upload of the same content that committed first, and deletes its own blob', async () => {
    const up = anUpload(deviceId, key)
    const first = await ok(upload(up.input, inPieces(up.content)))
    // The checks before streaming see no backup under the id, as when the other upload commits meanwhile.
    const inAccount = z.ports.unitOfWork.inAccount
    sinon
      .stub(z.ports.unitOfWork, 'inAccount')
      .callThrough()
      .onFirstCall()
      .callsFake((accountId, work) =>
        inAccount(accountId, (tx) =>
          work({ ...tx, backups: { ...tx.backups, findMany: () => TE.right([]) } }),
        ),
      )
    expect(await ok(upload(up.input, inPieces(up.content)))).to.deep.equal({
      backup: first.backup,
      created: false,
    })
    expect(await storedBlobs(caller.accountId)).to.equal(1)
  })

  it('refuses a content hash that does not match and keeps nothing', async () => {
    const up = anUpload(deviceId, key)
    const tampered = Buffer.from(up.content)
    tampered[10] = tampered[10]! ^ 1
    expect(await fails(upload(up.input, inPieces(tampered)))).to.deep.equal(contentHashMismatch)
    expect(await storedBlobs(caller.accountId)).to.equal(0)
    expect(
      (await ok(z.useCases.listBackups({ limit: 50, trash: false } as never, caller))).items,
    ).to.deep.equal([])
  })

  it('refuses a signature by another key, or over other metadata, and keeps nothing', async () => {
    const forged = anUpload(deviceId, aDeviceKey())
    expect(await fails(upload(forged.input, inPieces(forged.content)))).to.deep.equal(badSignature)
    const up = anUpload(deviceId, key)
    const swapped = {
      ...up.input,
      encryptedMetadata: randomBytes(80).toString('base64url'),
    } as UploadBackupInput
    expect(await fails(upload(swapped, inPieces(up.content)))).to.deep.equal(badSignature)
    expect(await storedBlobs(caller.accountId)).to.equal(0)
  })

  it('refuses a body shorter or longer than announced and keeps nothing', async () => {
    const up = anUpload(deviceId, key)
    const short = { ...up.input, contentLength: 3001 } as UploadBackupInput
    expect(await fails(upload(short, inPieces(up.content)))).to.deep.equal(contentLengthMismatch)
    const long = { ...up.input, contentLength: 2000 } as UploadBackupInput
    expect(await fails(upload(long, inPieces(up.content)))).to.deep.equal(contentLengthMismatch)
    expect(await storedBlobs(caller.accountId)).to.equal(0)
  })

  it('stops a body over the upload limit as it streams, and keeps nothing', async () => {
    await setUp({ ...defaultSettings, maxUploadBytes: 2500 })
    const up = anUpload(deviceId, key)
    const { contentLength: _, ...unannounced } = up.input
    expect(await fails(upload(unannounced, inPieces(up.content)))).to.deep.equal(uploadTooLarge(2500))
    expect(await fails(upload(up.input, inPieces(up.content)))).to.deep.equal(uploadTooLarge(2500))
    expect(await storedBlobs(caller.accountId)).to.equal(0)
  })

  it('refuses an announced length over quota before streaming, and an unannounced one at commit', async () => {
    await setUp({ ...defaultSettings, defaultQuotaBytes: 5000 })
    const first = anUpload(deviceId, key)
    await ok(upload(first.input, inPieces(first.content)))
    const second = anUpload(deviceId, key)
    expect(await fails(upload(second.input, inPieces(second.content)))).to.deep.equal(
      quotaExceeded(5000, 3000),
    )
    const { contentLength: _, ...unannounced } = second.input
    expect((await fails(upload(unannounced, inPieces(second.content))))._tag).to.equal('QuotaExceeded')
    expect(await storedBlobs(caller.accountId)).to.equal(1)
  })

  it('records the upload in the audit trail, and a refused one nowhere', async () => {
    await setUp({ ...defaultSettings, defaultQuotaBytes: 5000 })
    const uploadEvents = async () =>
      (await ok(z.useCases.listAudit({ limit: 100 } as never, caller))).items.filter(
        (e) => e.type === 'backup-uploaded',
      )
    const first = anUpload(deviceId, key)
    await ok(upload(first.input, inPieces(first.content)))
    expect(await uploadEvents()).to.have.length(1)
    const [before] = await ok(z.useCases.listDevices(caller))
    z.clock.advance(60_000)
    const second = anUpload(deviceId, key)
    const { contentLength: _, ...unannounced } = second.input
    expect((await fails(upload(unannounced, inPieces(second.content))))._tag).to.equal('QuotaExceeded')
    expect(await uploadEvents()).to.have.length(1)
    expect((await ok(z.useCases.listDevices(caller)))[0]!.lastSeenAt).to.deep.equal(before!.lastSeenAt)
  })

  it('does not undo a revocation that happens while the body arrives', async () => {
    const up = anUpload(deviceId, key)
    async function* revokedMidway(): AsyncGenerator<Uint8Array> {
      yield up.content.subarray(0, 1000)
      await ok(z.useCases.revokeDevice({ deviceId }, caller))
      yield up.content.subarray(1000)
    }
    await ok(upload(up.input, revokedMidway()))
    const [device] = await ok(z.useCases.listDevices(caller))
    expect(O.isSome(device!.revokedAt)).to.equal(true)
  })

  it('keeps nothing when the body stream throws midway', async () => {
    const up = anUpload(deviceId, key)
    expect((await fails(upload(up.input, throwingAfter(up.content))))._tag).to.equal('Unavailable')
    expect(await storedBlobs(caller.accountId)).to.equal(0)
  })

  it('keeps nothing when the commit fails', async () => {
    // The second transaction is the commit (the first, the checks before streaming).
    sinon
      .stub(z.ports.unitOfWork, 'inAccount')
      .callThrough()
      .onSecondCall()
      .returns(TE.left(unavailable('postgres')(new Error('down'))))
    const up = anUpload(deviceId, key)
    expect((await fails(upload(up.input, inPieces(up.content))))._tag).to.equal('Unavailable')
    expect(await storedBlobs(caller.accountId)).to.equal(0)
  })

  it('refuses an unknown device, or a parent that is not a backup of the account', async () => {
    const unknown = anUpload(aDeviceId(), key)
    expect(await fails(upload(unknown.input, inPieces(unknown.content)))).to.deep.equal(
      deviceNotFound(unknown.input.deviceId),
    )
    const parentId = aBackupId()
    const orphan = anUpload(deviceId, key, { parentId })
    expect(await fails(upload(orphan.input, inPieces(orphan.content)))).to.deep.equal(
      parentNotFound(parentId),
    )
  })

  it('links a child to its parent and signs over the parent id', async () => {
    const parent = anUpload(deviceId, key)
    await ok(upload(parent.input, inPieces(parent.content)))
    const child = anUpload(deviceId, key, { parentId: parent.input.backupId })
    const { backup } = await ok(upload(child.input, inPieces(child.content)))
    expect(backup.parentId).to.deep.equal(O.some(parent.input.backupId))
  })
})
