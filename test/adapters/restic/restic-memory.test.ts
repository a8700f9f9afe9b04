/**
 * A large restic pack up and down through /restic/ keeps the server's resident memory growth under 64 MiB,
 * whatever the object's size: the body streams into the blob store chunk by chunk and back out, never held
 * whole. The server runs as its own process (real PostgreSQL) with the flags production runs, so its RSS is
 * measured alone, as the kernel's exact peak (test/support/server-memory.ts). 256 MiB keeps CI fast;
 * RESTIC_MEMORY_MIB=2048 runs 2 GiB by hand (growth 33–39 MiB there), SERVER_NODE_OPTIONS passes extra V8
 * flags to the server for experiments.
 *
 * Why the design keeps it flat (process.memoryUsage every 100 ms and --trace-gc in the server):
 * - V8 frees a Buffer's memory only when it collects the wrapper, and starts doing so for external memory at
 *   about 64 MiB. So the blob store fills one reused chunk buffer rather than concatenating every incoming
 *   piece (about 3.5 bytes of short-lived Buffers per byte received, 58–66 MiB of dead Buffers at the peak).
 * - pg sends parameters in binary but results always as text (pg-protocol's binary mode is unimplemented), so
 *   a bytea read as a query result arrives hex-encoded: twice the bytes through socket Buffers, a 512 KiB
 *   string and the decoded Buffer per 256 KiB chunk (2 GiB up and down: 84 MiB). Downloads therefore read by
 *   binary COPY (knex-blob-store.ts), and uploads write several chunks per transaction (chunk-batches.ts).
 * - V8 and allocator flags (--max-semi-space-size, MALLOC_ARENA_MAX, MALLOC_MMAP_THRESHOLD_), 1 MiB chunks
 *   and 16 KiB chunk slices showed no clear gain within this machine's noise, so production sets none.
 */
import { expect } from 'chai'
import { aCliUser } from '../../client/cli/cli-kit'
import { aPassword, aUsername } from '../../client/sdk/sdk-kit'
import { type ServerProcess, startServerProcess } from '../../support/measured-server-process'
import { largeBody, meterMemory, MiB, mib, sha256Of, streamedRequest } from '../../support/server-memory'

const totalMiB = Number(process.env['RESTIC_MEMORY_MIB'] ?? 256)
/** The memory budget of a large transfer, asserted at every size: growth may not depend on the size. */
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
