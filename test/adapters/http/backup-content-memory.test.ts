/**
 * A large one-shot upload (PUT /api/v1/backups/{id}/content) and its download keep the server's resident
 * memory growth under 64 MiB, whatever the object's size: the body streams through hashing into the blob
 * store chunk by chunk and back out, never held whole. The server runs as its own process (real PostgreSQL)
 * with the flags production runs; its exact RSS peak is read from the kernel (test/support/server-memory.ts).
 * 256 MiB keeps CI fast; UPLOAD_MEMORY_MIB=2048 runs 2 GiB by hand (growth 33–45 MiB there, as at 256 MiB).
 *
 * What keeps the growth flat (--trace-gc in the server shows it): V8 lets old space fill with promoted
 * per-chunk garbage before its first full collection, so per-chunk work must leave little behind. Downloads
 * read chunks by binary COPY (knex-blob-store.ts, copy-blob-chunks.ts), not as pg's hex-text bytea (twice the
 * bytes, as strings); uploads write several chunks per transaction (chunk-batches.ts), not four queries and
 * their knex and pg objects per 256 KiB chunk. Without both, 2 GiB grows 65–90 MiB.
 */
import { expect } from 'chai'
import { type ServerProcess, startServerProcess } from '../../support/measured-server-process'
import { aOneShotUploader, type OneShotUploader } from '../../support/one-shot-upload'
import { largeBody, meterMemory, MiB, mib, sha256Of, streamedRequest } from '../../support/server-memory'

const totalMiB = Number(process.env['UPLOAD_MEMORY_MIB'] ?? 256)
/** The memory budget of a large transfer, asserted at every size: growth may not depend on the size. */
const boundBytes = 64 * MiB

describe(`one-shot upload: a ${totalMiB} MiB backup up and down keeps server memory bounded`, function () {
  this.timeout(1_800_000)
  let server: ServerProcess
  let uploader: OneShotUploader

  before(async function () {
    if (process.platform !== 'linux') return this.skip()
    const nodeOptions = process.env['SERVER_NODE_OPTIONS']
    server = await startServerProcess(nodeOptions === undefined ? {} : { NODE_OPTIONS: nodeOptions })
    uploader = await aOneShotUploader(server.base)
    // Warm up: a small upload and download load the code paths and fill the pools before measuring.
    const small = [Buffer.from('warm-up')]
    const warm = await uploader.headersFor({ sha256: sha256Of(small), sizeBytes: 7 })
    const url = `${server.base}/api/v1/backups/${warm.backupId}/content`
    const auth = { Authorization: uploader.authorization() }
    const put = await streamedRequest(url, {
      method: 'PUT',
      headers: { ...warm.headers, ...auth },
      body: small,
    })
    expect(put.status, put.text).to.equal(201)
    expect((await streamedRequest(url, { method: 'GET', headers: auth })).status).to.equal(200)
  })
  after(() => server?.stop())

  it('uploads, downloads whole and in a range, with RSS growth under 64 MiB', async () => {
    const sha256 = sha256Of(largeBody(totalMiB))
    const { backupId, headers } = await uploader.headersFor({ sha256, sizeBytes: totalMiB * MiB })
    const url = `${server.base}/api/v1/backups/${backupId}/content`
    const meter = meterMemory(server.pid)
    const up = await streamedRequest(url, {
      method: 'PUT',
      headers: { ...headers, Authorization: uploader.authorization() },
      body: largeBody(totalMiB),
    })
    const uploadGrowth = meter.growthBytes()
    expect(up.status, up.text).to.equal(201)
    const auth = { Authorization: uploader.authorization() }
    const down = await streamedRequest(url, { method: 'GET', headers: auth })
    const growth = meter.growthBytes()
    meter.stop()
    expect(down).to.include({ status: 200, sha256, bytes: totalMiB * MiB })
    const ranged = await streamedRequest(url, {
      method: 'GET',
      headers: { ...auth, Range: `bytes=${MiB - 8}-${MiB + 7}` },
    })
    expect(ranged).to.include({ status: 206, bytes: 16 })
    console.log(
      `      server RSS (${meter.method}): baseline ${mib(meter.baselineBytes)}, peak growth during the upload ` +
        `${mib(uploadGrowth)}, during upload and download ${mib(growth)} (${totalMiB} MiB each way)`,
    )
    expect(growth).to.be.lessThan(boundBytes)
  })
})
