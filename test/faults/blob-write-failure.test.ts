/**
 * Fault: the blob store fails in the middle of an upload's body — PostgreSQL refusing a chunk with `disk_full`
 * (SQLSTATE 53100, raised by a trigger on zkeb.blob_chunks after the first chunk, exactly what a full disk
 * answers). Expected, as docs/operations.md says: 503 `unavailable` with `Retry-After`, nothing
 * committed (no backup record, quota unchanged, the chunks already written removed), and uploads work again
 * once the disk has room.
 */
import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import { aUserWithDevice, uploadOverHttp } from '../adapters/http/http-test-kit'
import { startTarget, type Target } from '../attacks/attack-kit'
import { anUpload } from '../support/test-client'
import { accountView } from './fault-kit'

const diskFullAfterFirstChunk = `
  create function zkeb.fault_disk_full() returns trigger language plpgsql as $$
  begin
    if new.seq >= 1 then
      raise exception 'could not extend file: No space left on device' using errcode = 'disk_full';
    end if;
    return new;
  end $$;
  create trigger fault_disk_full before insert on zkeb.blob_chunks
    for each row execute function zkeb.fault_disk_full();`

describe('Fault: blob write fails mid-upload (disk full)', function () {
  this.timeout(60_000)
  let target: Target

  before(async () => (target = await startTarget()))
  after(async () => target?.close())

  it('answers 503 + Retry-After, commits nothing, and accepts uploads again once there is room', async () => {
    const user = await aUserWithDevice(target)
    const kept = anUpload(user.device.deviceId, user.device.key)
    expect((await uploadOverHttp(target, user.token, kept)).status).to.equal(201)
    const before = await accountView(target, user.token)
    const blobsOf = async () =>
      Number(
        (await target.db.ownerKnex('zkeb.blobs').where({ account_id: user.account.accountId }).count())[0]
          ?.count,
      )
    expect(await blobsOf()).to.equal(1)

    await target.db.ownerKnex.raw(diskFullAfterFirstChunk)
    const big = anUpload(user.device.deviceId, user.device.key, { content: randomBytes(700 * 1024) })
    const refused = await uploadOverHttp(target, user.token, big)
    expect(refused.status).to.equal(503)
    expect(refused.headers.get('retry-after')).to.match(/^\d+$/)
    expect(((await refused.json()) as { error: { code: string } }).error.code).to.equal('unavailable')

    expect(await accountView(target, user.token)).to.deep.equal(before)
    expect(await blobsOf()).to.equal(1)
    const chunks = await target.db
      .ownerKnex('zkeb.blob_chunks')
      .where({ account_id: user.account.accountId })
      .count()
    expect(Number(chunks[0]?.count)).to.equal(1)

    await target.db.ownerKnex.raw('drop trigger fault_disk_full on zkeb.blob_chunks')
    expect((await uploadOverHttp(target, user.token, big)).status).to.equal(201)
  })
})
