/**
 * A large tus upload keeps the server's resident memory growth under issue #5's 64 MiB, whatever its size: each
 * PATCH streams into its own part blob, and the PATCH that completes the upload streams the parts, in order,
 * through the hash into the final blob, never holding the whole. The server runs as its own process (real
 * PostgreSQL) with the flags production runs; its exact RSS peak is read from the kernel
 * (test/support/server-memory.ts). 256 MiB in 32 MiB parts keeps CI fast; TUS_MEMORY_MIB=2048 (and
 * TUS_MEMORY_PART_MIB) runs the issue's 2 GiB by hand.
 *
 * Measured by hand (2026-11-27), growth upload / upload and download:
 * - Before blob reads by binary COPY and batched chunk writes (see backup-content-memory.test.ts): 78–85 MiB for
 *   128 and 256 MiB.
 * - After them (quiet machine, 03:20 UTC, at 7de3719): 256 MiB 37.1 / 39.4 MiB; 2 GiB 74.6 / 84.4 and
 *   75.2 / 80.6 MiB; one CI run at 256 MiB 70.6 MiB.
 * - Same code at d762d1c, 2 cores at load 7–17 (04:35–05:00 UTC): 2 GiB 38.8 and 31.4 MiB, 256 MiB 39.5, 34.8
 *   and 27.7 MiB. Per-phase samples (process.memoryUsage every 100 ms, --trace-gc) showed what grows: V8's
 *   `arrayBuffers` from 0.2 MiB to a steady 32–38 MiB peak in every phase (dead body and socket buffers V8
 *   frees only on external-memory pressure), the JS heap within 6 MiB of its baseline. The peak came during
 *   the plain PATCHes (often the first), not the completing PATCH that joins the parts (which peaked 10–20 MiB
 *   lower); in-process, joining 256 MiB of parts grew 20.6 MiB against 36.2 for writing it once.
 * - PATCH bodies without the per-piece copy Node 20's Readable.toWeb made (adapters/http/tus/tus-body.ts), same
 *   load: 256 MiB 32.5, 32.8 and 33.6 MiB; 2 GiB 33.7 / 33.7 and 31.7 / 39.2 MiB (load 5–13), and an
 *   upload of 28.2 MiB (sampled every 100 ms: its GET met an expired token after 18 minutes, hence the longer
 *   token lifetime below). Fewer external-pressure collections during the PATCHes (15–29 against 21–45 per
 *   224 MiB); RSS within the noise of the runs before.
 * The 75–84 MiB of the quiet-machine runs did not reproduce under load, so their cause is not pinned down
 * (the arrayBuffers peak is V8's own trigger; what came on top of it there is unmeasured). Asserted now:
 * under issue #5's 64 MiB at every size, like the other routes.
 */
import { expect } from 'chai'
import { type ServerProcess, startServerProcess } from '../../support/measured-server-process'
import { aOneShotUploader, type OneShotUploader } from '../../support/one-shot-upload'
import { largeBody, meterMemory, MiB, mib, sha256Of, streamedRequest } from '../../support/server-memory'
import { uploadMetadataHeader } from '../../support/tus'

const totalMiB = Number(process.env['TUS_MEMORY_MIB'] ?? 256)
const partMiB = Number(process.env['TUS_MEMORY_PART_MIB'] ?? 32)
/** Issue #5's target, asserted at every size: the server's growth may not depend on the object's size. */
const boundBytes = 64 * MiB
const tus = { 'Tus-Resumable': '1.0.0' }

/** MiB `from` to `to` (exclusive) of the same body `largeBody` makes, so the parts hash to the whole. */
function* slice(from: number, to: number): Generator<Buffer> {
  let index = 0
  for (const chunk of largeBody(to)) if (index++ >= from) yield chunk
}

/** The one-shot PUT's signed ZKEB-* headers as the tus creation's Upload-Metadata (api-v1 names). */
const tusMetadataFrom = (backupId: string, headers: Record<string, string | number>) => ({
  backupId,
  deviceId: String(headers['ZKEB-Device-Id']),
  sha256: String(headers['ZKEB-Content-SHA256']),
  signature: String(headers['ZKEB-Signature']),
  wrappedKey: String(headers['ZKEB-Wrapped-Key']),
  metadata: String(headers['ZKEB-Metadata']),
})

describe(`tus: a ${totalMiB} MiB resumable upload keeps server memory bounded`, function () {
  this.timeout(1_800_000)
  let server: ServerProcess
  let uploader: OneShotUploader

  before(async function () {
    if (process.platform !== 'linux') return this.skip()
    const nodeOptions = process.env['SERVER_NODE_OPTIONS']
    // A 2 GiB run on a busy machine took over the default 15 minutes: its GET then failed with 401.
    const tokenTtl = { ACCESS_TOKEN_TTL_SECONDS: '7200' }
    server = await startServerProcess(
      nodeOptions === undefined ? tokenTtl : { ...tokenTtl, NODE_OPTIONS: nodeOptions },
    )
    uploader = await aOneShotUploader(server.base)
  })
  after(() => server?.stop())

  it('uploads in parts and commits, then downloads, with RSS growth under 64 MiB', async () => {
    const sha256 = sha256Of(largeBody(totalMiB))
    const { backupId, headers } = await uploader.headersFor({ sha256, sizeBytes: totalMiB * MiB })
    const auth = { Authorization: uploader.authorization() }
    const created = await fetch(`${server.base}/api/v1/uploads`, {
      method: 'POST',
      headers: {
        ...tus,
        ...auth,
        'Upload-Length': String(totalMiB * MiB),
        'Upload-Metadata': uploadMetadataHeader(tusMetadataFrom(backupId, headers)),
      },
    })
    expect(created.status, await created.text()).to.equal(201)
    const location = created.headers.get('location') ?? expect.fail('no Location')
    const meter = meterMemory(server.pid)
    for (let at = 0; at < totalMiB; at += partMiB) {
      const end = Math.min(at + partMiB, totalMiB)
      const res = await streamedRequest(`${server.base}${location}`, {
        method: 'PATCH',
        headers: {
          ...tus,
          Authorization: uploader.authorization(),
          'Content-Type': 'application/offset+octet-stream',
          'Content-Length': (end - at) * MiB,
          'Upload-Offset': at * MiB,
        },
        body: slice(at, end),
      })
      expect(res.status, res.text).to.equal(204)
    }
    const uploadGrowth = meter.growthBytes()
    const content = `${server.base}/api/v1/backups/${backupId}/content`
    const down = await streamedRequest(content, {
      method: 'GET',
      headers: { Authorization: uploader.authorization() },
    })
    const growth = meter.growthBytes()
    meter.stop()
    expect(down).to.include({ status: 200, sha256, bytes: totalMiB * MiB })
    console.log(
      `      server RSS (${meter.method}): baseline ${mib(meter.baselineBytes)}, peak growth during the tus upload ` +
        `${mib(uploadGrowth)}, with the download ${mib(growth)} (${totalMiB} MiB in ${partMiB} MiB parts)`,
    )
    expect(growth).to.be.lessThan(boundBytes)
  })
})
