/**
 * A large tus upload keeps the server's resident memory growth under issue #5's 64 MiB, whatever its size: each
 * PATCH streams into its own part blob, and the PATCH that completes the upload streams the parts, in order,
 * through the hash into the final blob, never holding the whole. The server runs as its own process (real
 * PostgreSQL) with the flags production runs; its exact RSS peak is read from the kernel
 * (test/support/server-memory.ts). 256 MiB in 32 MiB parts keeps CI fast; TUS_MEMORY_MIB=2048 (and
 * TUS_MEMORY_PART_MIB) runs the 2 GiB by hand.
 *
 * Measured by hand (2026-11-27, quiet machine), growth upload / upload and download:
 * - Before blob reads by binary COPY and batched chunk writes (see backup-content-memory.test.ts): 78–85 MiB for
 *   128 and 256 MiB.
 * - After them: 256 MiB 37.1 / 39.4 MiB; 2 GiB 74.6 / 84.4 and 75.2 / 80.6 MiB (two runs) — issue #5's 64 MiB
 *   is NOT met at 2 GiB on this route (the one-shot and restic routes meet it: 37 and 33 MiB). Unlike theirs,
 *   this growth follows the size; not yet profiled (suspects: the completing PATCH reads every part by COPY
 *   while it writes the final blob, two pipelines at once, and V8 promoting their per-batch objects).
 * CI asserts half the upload (see boundBytes), which guards the streaming itself; the 64 MiB gap stays open.
 */
import { expect } from 'chai'
import { type ServerProcess, startServerProcess } from '../../support/measured-server-process'
import { aOneShotUploader, type OneShotUploader } from '../../support/one-shot-upload'
import { largeBody, meterMemory, MiB, mib, sha256Of, streamedRequest } from '../../support/server-memory'
import { uploadMetadataHeader } from '../../support/tus'

const totalMiB = Number(process.env['TUS_MEMORY_MIB'] ?? 256)
const partMiB = Number(process.env['TUS_MEMORY_PART_MIB'] ?? 32)
/**
 * Half the upload: a server holding it whole cannot pass. Not issue #5's 64 MiB, which this route misses
 * (2 GiB: 75–84 MiB; at 256 MiB one CI run measured 70.6 MiB), an open gap on #5.
 */
const boundBytes = (totalMiB * MiB) / 2
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
    server = await startServerProcess(nodeOptions === undefined ? {} : { NODE_OPTIONS: nodeOptions })
    uploader = await aOneShotUploader(server.base)
  })
  after(() => server?.stop())

  it('uploads in parts and commits, then downloads, with RSS growth under half the upload', async () => {
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
