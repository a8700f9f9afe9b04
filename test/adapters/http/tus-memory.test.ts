/**
 * A large tus upload keeps the server's resident memory growth bounded: each PATCH streams into its own part
 * blob, and the PATCH that completes the upload streams the parts, in order, through the hash into the final
 * blob, never holding the whole. The server runs as its own process (real PostgreSQL) so its RSS is measured
 * alone. 256 MiB in 32 MiB parts keeps CI fast; TUS_MEMORY_MIB=2048 (and TUS_MEMORY_PART_MIB) run larger
 * figures by hand, SERVER_NODE_OPTIONS passes V8 flags to the server. The bound asserted is half the upload
 * (a server holding it whole cannot pass), as in restic-memory.test.ts. Measured here: peak growth 78–85 MiB
 * for 128 MiB (8 or 32 MiB parts) and 82 MiB for 256 MiB, so it does not follow the upload's size; it is the
 * late-collected garbage restic-memory.test.ts describes, which is why the default is not smaller.
 */
import { expect } from 'chai'
import { type ServerProcess, startServerProcess } from '../../support/measured-server-process'
import { anUpload } from '../../support/test-client'
import { tusMetadataOf, uploadMetadataHeader } from '../../support/tus'
import { aUserWithDevice, httpCaller } from './http-test-kit'

const MiB = 1024 * 1024
const totalMiB = Number(process.env['TUS_MEMORY_MIB'] ?? 256)
const partMiB = Number(process.env['TUS_MEMORY_PART_MIB'] ?? 32)
const boundBytes = (totalMiB * MiB) / 2
const tus = { 'Tus-Resumable': '1.0.0' }

/** `totalMiB` pseudo-random MiB in one buffer (the client's side; the server is the one measured). */
const content = (): Buffer => {
  const whole = Buffer.alloc(totalMiB * MiB)
  for (let i = 0; i < whole.length; i += 4) whole.writeUInt32LE((i * 2654435761) >>> 0, i)
  return whole
}

const peakRssDuring = async <A>(server: ServerProcess, work: () => Promise<A>): Promise<[A, number]> => {
  let peak = server.rssBytes()
  const timer = setInterval(() => (peak = Math.max(peak, server.rssBytes())), 50)
  try {
    const result = await work()
    return [result, Math.max(peak, server.rssBytes())]
  } finally {
    clearInterval(timer)
  }
}

describe(`tus: a ${totalMiB} MiB resumable upload keeps server memory bounded`, function () {
  this.timeout(600_000)
  let server: ServerProcess

  before(async function () {
    if (process.platform !== 'linux') return this.skip()
    const nodeOptions = process.env['SERVER_NODE_OPTIONS']
    server = await startServerProcess(nodeOptions === undefined ? {} : { NODE_OPTIONS: nodeOptions })
  })
  after(() => server?.stop())

  it('uploads in parts and commits, with RSS growth under half the upload', async () => {
    const call = httpCaller(server.base)
    const user = await aUserWithDevice({ call })
    const file = anUpload(user.device.deviceId, user.device.key, { content: content() })
    const created = await call('POST', '/api/v1/uploads', {
      token: user.token,
      headers: {
        ...tus,
        'Upload-Length': String(file.content.length),
        'Upload-Metadata': uploadMetadataHeader(tusMetadataOf(file)),
      },
    })
    expect(created.status).to.equal(201)
    const location = created.headers.get('location')!
    const baseline = server.rssBytes()
    const [offset, peak] = await peakRssDuring(server, async () => {
      let at = 0
      while (at < file.content.length) {
        const part = file.content.subarray(at, at + partMiB * MiB)
        const res = await call('PATCH', location, {
          token: user.token,
          headers: { ...tus, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(at) },
          body: part,
        })
        expect(res.status, await res.text()).to.equal(204)
        at = Number(res.headers.get('upload-offset'))
      }
      return at
    })
    expect(offset).to.equal(totalMiB * MiB)
    console.log(
      `      server RSS: baseline ${(baseline / MiB).toFixed(1)} MiB, peak growth ` +
        `${((peak - baseline) / MiB).toFixed(1)} MiB (${totalMiB} MiB in ${partMiB} MiB parts, then committed)`,
    )
    const record = await call('GET', `/api/v1/backups/${file.input.backupId}`, { token: user.token })
    expect(((await record.json()) as { sha256: string }).sha256).to.equal(file.input.contentSha256)
    expect(peak - baseline).to.be.lessThan(boundBytes)
  })
})
