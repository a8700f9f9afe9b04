/**
 * Fault: the server process (the real one, `tsx adapters/composition/main.ts`) is killed with SIGKILL while
 * three uploads are half sent. Expected, as docs/operations.md says: after a restart on the same
 * database none of them is visible (not listed, not fetchable), the quota counts exactly the backups that
 * committed, and the chunks the dead process had written are orphans that `zkeb-admin gc-blobs` removes
 * (here with no grace; in production the grace must exceed the longest upload).
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { promisify } from 'node:util'
import { expect } from 'chai'
import pg from 'pg'
import { aUserWithDevice, logInOverHttp, uploadOverHttp } from '../adapters/http/http-test-kit'
import { anUpload } from '../support/test-client'
import { accountView, fedUpload, restartableServer } from './fault-kit'

const root = path.resolve(__dirname, '../..')

const countRows = async (url: string, table: string, accountId: string): Promise<number> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{ n: string }>(
      `select count(*) as n from zkeb.${table} where account_id = $1`,
      [accountId],
    )
    return Number(rows[0]?.n)
  } finally {
    await client.end()
  }
}

describe('Fault: server process killed with SIGKILL mid-upload', function () {
  this.timeout(90_000)
  const servers = restartableServer('sigkill')
  const start = servers.start

  it('shows no partial backup after restart, keeps the quota exact, and gc-blobs collects the orphans', async () => {
    const first = await start()
    const user = await aUserWithDevice(first)
    const kept = anUpload(user.device.deviceId, user.device.key)
    expect((await uploadOverHttp(first, user.token, kept)).status).to.equal(201)
    const before = await accountView(first, user.token)

    const cut = Array.from({ length: 3 }, () =>
      anUpload(user.device.deviceId, user.device.key, { content: randomBytes(900 * 1024) }),
    )
    const inFlight = cut.map((upload) => fedUpload(first, user.token, upload))
    for (const upload of inFlight) upload.feed(600 * 1024)
    const ownerUrl = servers.databaseUrl()
    // Wait until the dead process will have left chunks behind: the orphans gc-blobs must collect.
    const deadline = Date.now() + 10_000
    while ((await countRows(ownerUrl, 'blob_chunks', user.account.accountId)) < 1 + cut.length) {
      if (Date.now() > deadline) throw new Error('the uploads never reached the blob store')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    first.server.child.kill('SIGKILL')
    expect(await first.server.exited).to.deep.equal({ code: null, signal: 'SIGKILL' })
    for (const upload of inFlight) upload.finish()
    for (const upload of inFlight) expect(await upload.status).to.equal(0)

    const second = await start()
    const session = await logInOverHttp(second, user.account, user.device.deviceId)
    expect(await accountView(second, session.accessToken)).to.deep.equal(before)
    for (const upload of cut) {
      const ghost = await second.call('GET', `/api/v1/backups/${upload.input.backupId}`, {
        token: session.accessToken,
      })
      expect(ghost.status).to.equal(404)
      await ghost.arrayBuffer()
    }
    expect(await countRows(ownerUrl, 'blobs', user.account.accountId)).to.equal(1 + cut.length)

    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['adapters/admin-cli/bin.js', 'gc-blobs', '--grace-seconds', '0', '--json'],
      { cwd: root, env: servers.env() },
    )
    expect(JSON.parse(stdout)).to.deep.equal({ orphans: cut.length, deleted: cut.length })
    expect(await countRows(ownerUrl, 'blobs', user.account.accountId)).to.equal(1)
    expect(await countRows(ownerUrl, 'blob_chunks', user.account.accountId)).to.equal(1)
    const download = await second.call('GET', `/api/v1/backups/${kept.input.backupId}/content`, {
      token: session.accessToken,
    })
    expect(download.status).to.equal(200)
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(kept.content))).to.equal(true)
    second.server.child.kill('SIGTERM')
    await second.server.exited
  })
})
