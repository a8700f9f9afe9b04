/**
 * A large restic pack up and down through /restic/ keeps the server's resident memory growth under 64 MiB
 * (issue #5): the body streams into the blob store chunk by chunk and back out, never held whole. The server
 * runs as its own process (real PostgreSQL) with the flags production runs, so its RSS is measured alone, as
 * the kernel's exact peak (test/support/server-memory.ts). 256 MiB keeps CI fast; RESTIC_MEMORY_MIB=2048 runs
 * the issue's 2 GiB figure by hand, SERVER_NODE_OPTIONS passes extra V8 flags to the server for experiments.
 *
 * FIGURES_PLACEHOLDER
 */
import { expect } from 'chai'
import { aCliUser } from '../../client/cli/cli-kit'
import { aPassword, aUsername } from '../../client/sdk/sdk-kit'
import { type ServerProcess, startServerProcess } from '../../support/measured-server-process'
import { largeBody, meterMemory, MiB, mib, sha256Of, streamedRequest } from '../../support/server-memory'

const totalMiB = Number(process.env['RESTIC_MEMORY_MIB'] ?? 256)
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
