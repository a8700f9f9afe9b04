import { createHash, randomBytes } from 'node:crypto'
import { expect } from 'chai'
import * as O from 'fp-ts/Option'
import type { Caller } from '../../application/context'
import { defaultSettings } from '../../application/settings'
import type { CreateUploadInput } from '../../application/uploads'
import { badSignature, deviceRevoked, quotaExceeded, uploadTooLarge } from '../../domain/errors'
import type { ByteCount, Sha256Hex } from '../../domain/ids'
import {
  uploadChecksumMismatch,
  uploadNotFound,
  uploadOffsetConflict,
  type UploadSession,
} from '../../domain/upload-session'
import { type InMemoryZkeb, inMemoryZkeb } from '../support/in-memory-zkeb'
import {
  addDevice,
  anUpload,
  type AnUpload,
  callerFor,
  type DeviceKey,
  fails,
  inPieces,
  ok,
  register,
} from '../support/test-client'

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex') as Sha256Hex

describe('resumable uploads (use cases) @memory', () => {
  let z: InMemoryZkeb
  let caller: Caller
  let device: { deviceId: CreateUploadInput['deviceId']; key: DeviceKey }

  beforeEach(async () => {
    z = await inMemoryZkeb({ settings: { ...defaultSettings, defaultQuotaBytes: 10_000 } })
    caller = await callerFor(z.useCases, await register(z.useCases))
    const added = await addDevice(z.useCases, caller)
    device = { deviceId: added.device.deviceId, key: added.key }
  })

  const creation = (up: AnUpload): CreateUploadInput => ({
    ...up.input,
    lengthBytes: up.content.length as ByteCount,
  })
  const append = (
    session: UploadSession,
    offset: number,
    bytes: Uint8Array,
    checksum: O.Option<Sha256Hex> = O.none,
  ) =>
    z.useCases.appendUpload(
      { uploadId: session.uploadId, offsetBytes: offset, checksum },
      inPieces(bytes, 700),
      caller,
    )
  const usedBytes = async () => (await ok(z.useCases.getAccount(caller))).quota.usedBytes
  const download = async (backupId: AnUpload['input']['backupId']) => {
    const { content } = await ok(z.useCases.downloadBackup({ backupId }, caller))
    const chunks: Uint8Array[] = []
    for await (const chunk of content) chunks.push(chunk)
    return Buffer.concat(chunks)
  }

  it('commits the parts, in order, as the backup the one-shot upload would have made', async () => {
    const up = anUpload(device.deviceId, device.key, { content: randomBytes(3000) })
    const session = await ok(z.useCases.createUpload(creation(up), caller))
    expect(session.expiresAt.getTime() - session.createdAt.getTime()).to.equal(
      defaultSettings.uploadExpirySeconds * 1000,
    )
    expect((await ok(append(session, 0, up.content.subarray(0, 1200)))).offsetBytes).to.equal(1200)
    expect((await ok(z.useCases.findUpload(session.uploadId, caller))).offsetBytes).to.equal(1200)
    const done = await ok(append(session, 1200, up.content.subarray(1200)))
    expect(done.offsetBytes).to.equal(3000)
    expect(O.isSome(done.backup)).to.equal(true)
    expect(await download(up.input.backupId)).to.deep.equal(Buffer.from(up.content))
    expect(await usedBytes()).to.equal(3000)
    expect(await fails(z.useCases.findUpload(session.uploadId, caller))).to.deep.equal(uploadNotFound)
  })

  it('refuses a stale offset and a wrong checksum, leaving the offset where it was', async () => {
    const up = anUpload(device.deviceId, device.key)
    const session = await ok(z.useCases.createUpload(creation(up), caller))
    await ok(append(session, 0, up.content.subarray(0, 1000)))
    expect(await fails(append(session, 0, up.content.subarray(0, 1000)))).to.deep.equal(
      uploadOffsetConflict(1000),
    )
    const part = up.content.subarray(1000, 2000)
    const wrong = O.some(sha256(randomBytes(8)))
    expect(await fails(append(session, 1000, part, wrong))).to.deep.equal(uploadChecksumMismatch)
    expect((await ok(z.useCases.findUpload(session.uploadId, caller))).offsetBytes).to.equal(1000)
    expect((await ok(append(session, 1000, part, O.some(sha256(part))))).offsetBytes).to.equal(2000)
  })

  it('reserves the declared length: a second upload that would pass the quota is refused until the first ends', async () => {
    const first = anUpload(device.deviceId, device.key, { content: randomBytes(6000) })
    const second = anUpload(device.deviceId, device.key, { content: randomBytes(6000) })
    const session = await ok(z.useCases.createUpload(creation(first), caller))
    expect(await fails(z.useCases.createUpload(creation(second), caller))).to.deep.equal(
      quotaExceeded(10_000, 6000),
    )
    await ok(z.useCases.terminateUpload(session.uploadId, caller))
    await ok(z.useCases.createUpload(creation(second), caller))
  })

  it('refuses a length over the upload limit at creation', async () => {
    const up = anUpload(device.deviceId, device.key)
    const tooLong = { ...creation(up), lengthBytes: (defaultSettings.maxUploadBytes + 1) as ByteCount }
    expect(await fails(z.useCases.createUpload(tooLong, caller))).to.deep.equal(
      uploadTooLarge(defaultSettings.maxUploadBytes),
    )
  })

  it('discards the whole upload when the finished content does not verify', async () => {
    const up = anUpload(device.deviceId, device.key)
    const forged = { ...creation(up), signature: anUpload(device.deviceId, device.key).input.signature }
    const session = await ok(z.useCases.createUpload(forged, caller))
    expect(await fails(append(session, 0, up.content))).to.deep.equal(badSignature)
    expect(await fails(z.useCases.findUpload(session.uploadId, caller))).to.deep.equal(uploadNotFound)
    expect(await usedBytes()).to.equal(0)
  })

  it('refuses to finish for a device revoked meanwhile', async () => {
    const up = anUpload(device.deviceId, device.key)
    const session = await ok(z.useCases.createUpload(creation(up), caller))
    await ok(z.useCases.revokeDevice({ deviceId: device.deviceId }, caller))
    expect(await fails(append(session, 0, up.content))).to.deep.equal(deviceRevoked(device.deviceId))
  })

  it('collects expired sessions and releases their reservation', async () => {
    const up = anUpload(device.deviceId, device.key, { content: randomBytes(9000) })
    const session = await ok(z.useCases.createUpload(creation(up), caller))
    await ok(append(session, 0, up.content.subarray(0, 100)))
    z.clock.advance(defaultSettings.uploadExpirySeconds * 1000 + 1)
    expect(await fails(append(session, 100, up.content.subarray(100)))).to.deep.equal(uploadNotFound)
    expect(await ok(z.useCases.expireUploads())).to.deep.equal({ expired: 1 })
    expect(await ok(z.useCases.expireUploads())).to.deep.equal({ expired: 0 })
    await ok(z.useCases.createUpload(creation(up), caller))
  })
})
