/**
 * Done-when of resumable uploads: a tus upload interrupted and resumed across a server restart commits intact.
 * The real server process (`tsx adapters/composition/main.ts`) receives part of a file over tus, the last
 * PATCH still streaming, and is killed with SIGKILL. A new process on the same database answers HEAD with the
 * offset of the parts that were stored, the client PATCHes the rest from there, and the backup that commits
 * is byte for byte the file; the quota counts exactly its length, and no session or reservation is left.
 */
import { createHash, randomBytes } from 'node:crypto'
import { expect } from 'chai'
import pg from 'pg'
import { aUserWithDevice, logInOverHttp } from '../adapters/http/http-test-kit'
import { anUpload } from '../support/test-client'
import { tusMetadataOf, uploadMetadataHeader } from '../support/tus'
import { accountView, restartableServer } from './fault-kit'

const tus = { 'Tus-Resumable': '1.0.0' }
const mib = 1024 * 1024

const countRows = async (url: string, sql: string): Promise<number> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{ n: string }>(sql)
    return Number(rows[0]?.n)
  } finally {
    await client.end()
  }
}

describe('Fault: a tus upload resumed across a SIGKILL and restart of the server', function () {
  this.timeout(120_000)
  const servers = restartableServer('tus-resume')
  const start = servers.start

  it('commits intact: HEAD gives the stored offset after the restart and the rest completes it', async () => {
    const first = await start()
    const user = await aUserWithDevice(first)
    const file = anUpload(user.device.deviceId, user.device.key, { content: randomBytes(3 * mib) })
    const before = await accountView(first, user.token)

    const created = await first.call('POST', '/api/v1/uploads', {
      token: user.token,
      headers: {
        ...tus,
        'Upload-Length': String(file.content.length),
        'Upload-Metadata': uploadMetadataHeader(tusMetadataOf(file)),
      },
    })
    expect(created.status).to.equal(201)
    const location = created.headers.get('location')!
    const patch = (server: typeof first, token: string, offset: number, body: RequestInit['body']) =>
      server.call('PATCH', location, {
        token,
        headers: {
          ...tus,
          'Content-Type': 'application/offset+octet-stream',
          'Upload-Offset': String(offset),
        },
        body,
      })
    const firstPart = await patch(first, user.token, 0, file.content.subarray(0, mib))
    expect(firstPart.status).to.equal(204)
    expect(firstPart.headers.get('upload-offset')).to.equal(String(mib))

    // The second PATCH is cut: half of it is on its way when the process dies.
    let controller!: ReadableStreamDefaultController<Uint8Array>
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) })
    const cut = patch(first, user.token, mib, body).then(
      (res) => res.status,
      () => 0,
    )
    controller.enqueue(file.content.subarray(mib, mib + mib / 2))
    const deadline = Date.now() + 10_000
    const chunksOf = `select count(*) as n from zkeb.blob_chunks`
    const stored = await countRows(servers.databaseUrl(), chunksOf)
    while ((await countRows(servers.databaseUrl(), chunksOf)) <= stored) {
      if (Date.now() > deadline) throw new Error('the cut PATCH never reached the blob store')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    first.server.child.kill('SIGKILL')
    expect(await first.server.exited).to.deep.equal({ code: null, signal: 'SIGKILL' })
    expect(await cut).to.equal(0)

    const second = await start()
    const session = await logInOverHttp(second, user.account, user.device.deviceId)
    const head = await second.call('HEAD', location, { token: session.accessToken, headers: tus })
    expect(head.status).to.equal(200)
    const offset = Number(head.headers.get('upload-offset'))
    expect(offset).to.equal(mib)
    expect(head.headers.get('upload-length')).to.equal(String(file.content.length))

    const rest = await patch(second, session.accessToken, offset, file.content.subarray(offset))
    expect(rest.status, await rest.clone().text()).to.equal(204)
    expect(rest.headers.get('upload-offset')).to.equal(String(file.content.length))

    const download = await second.call('GET', `/api/v1/backups/${file.input.backupId}/content`, {
      token: session.accessToken,
    })
    expect(download.status).to.equal(200)
    const bytes = Buffer.from(await download.arrayBuffer())
    expect(createHash('sha256').update(bytes).digest('hex')).to.equal(file.input.contentSha256)
    expect(bytes.equals(Buffer.from(file.content))).to.equal(true)
    const after = await accountView(second, session.accessToken)
    expect(after.usedBytes).to.equal(before.usedBytes + file.content.length)
    expect(after.backupIds).to.deep.equal([...before.backupIds, file.input.backupId].sort())
    expect(await countRows(servers.databaseUrl(), 'select count(*) as n from zkeb.upload_sessions')).to.equal(
      0,
    )
    expect(await countRows(servers.databaseUrl(), 'select count(*) as n from zkeb.upload_parts')).to.equal(0)
    const gone = await second.call('HEAD', location, { token: session.accessToken, headers: tus })
    expect(gone.status).to.equal(404)
  })
})
