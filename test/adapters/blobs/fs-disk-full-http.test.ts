/**
 * Fault: the blob folder's disk fills up during an upload — a real 4 MiB tmpfs as BLOB_DIR, the real runtime
 * (BLOB_STORE=fs beside PostgreSQL) and the real HTTP routes. Expected: 507 `insufficient-storage` for the
 * one-shot upload and the resumable (tus) PATCH, and 507 to restic (rest-server's answer to a full disk), no
 * Retry-After, nothing committed (backups and quota as before), no file left behind; downloads keep working
 * and uploads work again once there is room.
 */
import { createHash, randomBytes } from 'node:crypto'
import path from 'node:path'
import { expect } from 'chai'
import { aUserWithDevice, uploadOverHttp } from '../http/http-test-kit'
import { startTarget, type Target } from '../../attacks/attack-kit'
import { accountView } from '../../faults/fault-kit'
import { anUpload } from '../../support/test-client'
import { tusMetadataOf, uploadMetadataHeader } from '../../support/tus'
import { filesUnder, mountSmallFilesystem, type SmallFilesystem } from './small-filesystem'

const MiB = 1024 * 1024
const tus = { 'Tus-Resumable': '1.0.0' }

describe('Fault: the blob folder is full (fs store on a 4 MiB tmpfs, over HTTP)', function () {
  this.timeout(90_000)
  let small: SmallFilesystem | null
  let target: Target

  before(async function () {
    small = await mountSmallFilesystem(4 * MiB)
    if (small === null) {
      console.warn('      (mounting a tmpfs was refused: run as root to test a full disk)')
      this.skip()
    }
    target = await startTarget({ env: { BLOB_STORE: 'fs', BLOB_DIR: small.dir } })
  })
  after(async () => {
    await target?.close()
    await small?.unmount()
  })

  /** The blob files in the folder (its identity file aside). */
  const blobFiles = async () =>
    (await filesUnder(small!.dir)).filter((f) => path.basename(f) !== '.zkeb-folder-id')

  it('answers 507 insufficient-storage, stores and commits nothing, and accepts uploads once there is room', async () => {
    const user = await aUserWithDevice(target)
    const kept = anUpload(user.device.deviceId, user.device.key, { content: randomBytes(MiB) })
    expect((await uploadOverHttp(target, user.token, kept)).status).to.equal(201)
    const before = await accountView(target, user.token)
    const stored = await blobFiles()
    expect(stored).to.have.length(1)

    const big = anUpload(user.device.deviceId, user.device.key, { content: randomBytes(4 * MiB) })
    const refused = await uploadOverHttp(target, user.token, big)
    expect(refused.status).to.equal(507)
    expect(refused.headers.get('retry-after')).to.equal(null)
    const body = (await refused.json()) as { error: { code: string; retryable: boolean } }
    expect(body.error).to.include({ code: 'insufficient-storage', retryable: false })
    expect(await accountView(target, user.token)).to.deep.equal(before)
    expect(await blobFiles()).to.deep.equal(stored)

    const resumable = anUpload(user.device.deviceId, user.device.key, { content: randomBytes(4 * MiB) })
    const created = await target.call('POST', '/api/v1/uploads', {
      token: user.token,
      headers: {
        ...tus,
        'Upload-Length': String(resumable.content.length),
        'Upload-Metadata': uploadMetadataHeader(tusMetadataOf(resumable)),
      },
    })
    expect(created.status).to.equal(201)
    const location = created.headers.get('location')!
    const patch = await target.call('PATCH', location, {
      token: user.token,
      headers: { ...tus, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': '0' },
      body: resumable.content,
    })
    expect(patch.status, await patch.clone().text()).to.equal(507)
    expect(((await patch.json()) as { error: { code: string } }).error.code).to.equal('insufficient-storage')
    expect(await blobFiles()).to.deep.equal(stored)
    const offset = await target.call('HEAD', location, { token: user.token, headers: tus })
    expect(offset.headers.get('upload-offset')).to.equal('0')
    await target.call('DELETE', location, { token: user.token, headers: tus })

    const issued = await target.call('POST', '/api/v1/restic-tokens', {
      token: user.token,
      json: { appendOnly: false },
    })
    expect(issued.status).to.equal(201)
    const { token: secret } = (await issued.json()) as { token: string }
    const pack = randomBytes(4 * MiB)
    const name = createHash('sha256').update(pack).digest('hex')
    const restic = await fetch(`${target.base}/restic/repo/data/${name}`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${user.account.username}:${secret}`).toString('base64')}`,
      },
      body: pack,
    })
    expect(restic.status).to.equal(507)
    expect(restic.headers.get('retry-after')).to.equal(null)
    expect(await restic.text()).to.equal('Insufficient Storage\n')
    expect(await blobFiles()).to.deep.equal(stored)

    const download = await target.call('GET', `/api/v1/backups/${kept.input.backupId}/content`, {
      token: user.token,
    })
    expect(Buffer.from(await download.arrayBuffer()).equals(kept.content)).to.equal(true)
    const fits = anUpload(user.device.deviceId, user.device.key, { content: randomBytes(MiB) })
    expect((await uploadOverHttp(target, user.token, fits)).status).to.equal(201)
  })
})
