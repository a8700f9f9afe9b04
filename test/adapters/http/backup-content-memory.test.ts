/**
 * A large one-shot upload (PUT /api/v1/backups/{id}/content) and its download keep the server's resident
 * memory growth bounded: the body streams through hashing into the blob store chunk by chunk and back out,
 * never held whole (asserted: under half the object). The server runs as its own process (real PostgreSQL)
 * with the flags production runs; its exact RSS peak is read from the kernel (test/support/server-memory.ts).
 * 256 MiB keeps CI fast; UPLOAD_MEMORY_MIB=2048 runs the 2 GiB figure by hand.
 *
 * Issue #5's 64 MiB is printed, not asserted: it is not met yet. 2 GiB by hand (2026-11-27, 2 cores at load
 * 10–15): upload 65.0 MiB, up and down 73.4 MiB; an earlier run 90.8 MiB during the upload alone. The upload
 * stores like restic's (same blob store; restic-memory.test.ts has the causes found and fixed), but at 2 GiB
 * --trace-gc showed V8 letting old space fill with promoted per-chunk garbage (the knex and pg objects of four
 * queries per chunk) to 106 MiB used / 139 MiB committed before its first full collection ("Mark-Compact
 * 106.4 (139.4) -> 35.2 (102.2)"): not a leak, V8's heap sizing. What bounds that without a heap cap (the
 * earlier --max-old-space-size=96 experiment is too tight for production) is still open.
 */
import { expect } from 'chai'
import { type ServerProcess, startServerProcess } from '../../support/measured-server-process'
import { aOneShotUploader, type OneShotUploader } from '../../support/one-shot-upload'
import { largeBody, meterMemory, MiB, mib, sha256Of, streamedRequest } from '../../support/server-memory'

const totalMiB = Number(process.env['UPLOAD_MEMORY_MIB'] ?? 256)
/** Issue #5's target; not met yet (see above), so it is printed, not asserted. */
const targetBytes = 64 * MiB
/** What is asserted: a server that held the object whole could not pass. */
const boundBytes = (totalMiB * MiB) / 2

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

  it('uploads, downloads whole and in a range, with RSS growth under half the object', async () => {
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
    if (growth >= targetBytes)
      console.log(`      above the 64 MiB target of issue #5 (see this file's comment)`)
    expect(growth).to.be.lessThan(boundBytes)
  })
})
