/**
 * A large restic pack up and down through /restic/ keeps the server's resident memory growth under issue #5's
 * 64 MiB, whatever the object's size: the body streams into the blob store chunk by chunk and back out, never
 * held whole. The server runs as its own process (real PostgreSQL) with the flags production runs, so its RSS
 * is measured alone, as the kernel's exact peak (test/support/server-memory.ts). 256 MiB keeps CI fast; RESTIC_MEMORY_MIB=2048 runs
 * the issue's 2 GiB figure by hand, SERVER_NODE_OPTIONS passes extra V8 flags to the server for experiments.
 *
 * What was measured (process.memoryUsage every 100 ms and --trace-gc in the server, 2 cores at load 10–15):
 * - Upload, before: arrayBuffers climbed to 58–66 MiB of dead Buffers before V8's first collection, the heap
 *   stayed flat. The blob store concatenated every incoming piece onto the pending chunk (about 3.5 bytes of
 *   short-lived Buffers per byte received); V8 frees a Buffer's memory only when it collects the wrapper, and
 *   starts doing so for external memory at about 64 MiB. Filling one reused chunk buffer took the 256 MiB
 *   upload from 68–71 MiB to 36–44 MiB of growth, and 2 GiB to 34.0 MiB (by hand, 2026-11-27).
 * - Download: pg sends parameters in binary, but results always as text (pg-protocol decodes every field as
 *   a string; its binary mode is unimplemented), so bytea arrives hex-encoded: twice the bytes through
 *   socket Buffers, a receive buffer grown by doubling per 512 KiB message, a 512 KiB string and the decoded
 *   Buffer per 256 KiB chunk. The dead Buffers (10–68 MiB, sawtooth) are freed at scavenges, not sooner.
 *   2 GiB up and down: 84.2 MiB (upload 34.0): above the target.
 * - Tried at 256 MiB, no clear gain within this machine's noise (whole run, MiB): --max-semi-space-size=2
 *   84.5, =64 101.2; MALLOC_ARENA_MAX=1 64.7, MALLOC_MMAP_THRESHOLD_=32768 67.7; 1 MiB chunks 75–78;
 *   reading chunks as 16 KiB slices (smaller pg messages) 73–79. None went into production.
 * - After (2026-11-27, load 8–15): downloads by binary COPY (no hex text; knex-blob-store.ts) and uploads
 *   batched several chunks to a transaction (one query, not four, per chunk; chunk-batches.ts): 2 GiB up 32.7,
 *   up and down 33.5 MiB, a second run 37.2 / 38.9 MiB; 256 MiB 35.1 / 43.2 MiB. Now asserted: under 64 MiB
 *   at every size.
 */
import { expect } from 'chai'
import { aCliUser } from '../../client/cli/cli-kit'
import { aPassword, aUsername } from '../../client/sdk/sdk-kit'
import { type ServerProcess, startServerProcess } from '../../support/measured-server-process'
import { largeBody, meterMemory, MiB, mib, sha256Of, streamedRequest } from '../../support/server-memory'

const totalMiB = Number(process.env['RESTIC_MEMORY_MIB'] ?? 256)
/** Issue #5's target, asserted at every size: the server's growth may not depend on the object's size. */
const boundBytes = 64 * MiB

describe(`restic REST backend: a ${totalMiB} MiB pack up and down keeps server memory bounded`, function () {
  this.timeout(1_800_000)
  let server: ServerProcess
  let auth: string
  let base: string

  before(async function () {
    if (process.platform !== 'linux') return this.skip()
    const nodeOptions = process.env['SERVER_NODE_OPTIONS']
    server = await startServerProcess(nodeOptions === undefined ? {} : { NODE_OPTIONS: nodeOptions })
    const user = aCliUser(server.base)
    const password = aPassword()
    const username = aUsername()
    const registered = await user.run(['register', username], { secrets: [password, password] })
    expect(registered.code, registered.stderr).to.equal(0)
    const created = await user.run(['restic-token', 'create', '--json'], { env: { ZKEB_PASSWORD: password } })
    expect(created.code, created.stderr).to.equal(0)
    const { token } = JSON.parse(created.stdout) as { token: string }
    auth = `Basic ${Buffer.from(`${username}:${token}`).toString('base64')}`
    base = `${server.base}/restic/big`
    // Warm up: the first requests load code paths and fill pools; growth is measured from after them.
    const keys = await streamedRequest(`${base}/keys/`, { method: 'GET', headers: { Authorization: auth } })
    expect(keys.status).to.equal(200)
  })
  after(() => server?.stop())

  it('uploads, reads back whole and in a range, with RSS growth under 64 MiB', async () => {
    const name = sha256Of(largeBody(totalMiB))
    const url = `${base}/data/${name}`
    const headers = { Authorization: auth }
    const meter = meterMemory(server.pid)
    const up = await streamedRequest(url, {
      method: 'POST',
      headers: { ...headers, 'Content-Length': totalMiB * MiB },
      body: largeBody(totalMiB),
    })
    const uploadGrowth = meter.growthBytes()
    expect(up.status, up.text).to.equal(200)
    const down = await streamedRequest(url, { method: 'GET', headers })
    const growth = meter.growthBytes()
    meter.stop()
    expect(down).to.include({ status: 200, sha256: name, bytes: totalMiB * MiB })
    const ranged = await streamedRequest(url, {
      method: 'GET',
      headers: { ...headers, Range: `bytes=${MiB - 8}-${MiB + 7}` },
    })
    expect(ranged).to.include({ status: 206, bytes: 16 })
    console.log(
      `      server RSS (${meter.method}): baseline ${mib(meter.baselineBytes)}, peak growth during the upload ` +
        `${mib(uploadGrowth)}, during upload and download ${mib(growth)} (${totalMiB} MiB each way)`,
    )
    expect(growth).to.be.lessThan(boundBytes)
  })
})
