/**
 * A standard tus client (tus-js-client, unmodified, in Node) against the real wiring over PostgreSQL: it
 * uploads in chunks, is stopped midway, resumes from the URL it was given (HEAD, then PATCH from the offset)
 * and the backup it completes is the file's exact bytes.
 */
import { randomBytes } from 'node:crypto'
import { expect } from 'chai'
import { Upload } from 'tus-js-client'
import { startRealZkebServer, type RealZkebServer } from '../../support/real-zkeb-server'
import { anUpload } from '../../support/test-client'
import { tusMetadataOf } from '../../support/tus'
import { aUserWithDevice, httpCaller } from './http-test-kit'

const chunkSize = 256 * 1024

describe('tus-js-client against the real server (PostgreSQL)', function () {
  this.timeout(60_000)
  let server: RealZkebServer

  before(async () => {
    server = await startRealZkebServer()
  })
  after(() => server.close())

  it('uploads in chunks, resumes after being stopped, and commits the exact bytes', async () => {
    const call = httpCaller(server.base)
    const user = await aUserWithDevice({ call })
    const file = anUpload(user.device.deviceId, user.device.key, { content: randomBytes(2 * 1024 * 1024) })
    const options = {
      endpoint: `${server.base}/api/v1/uploads`,
      headers: { Authorization: `Bearer ${user.token}` },
      metadata: tusMetadataOf(file),
      chunkSize,
      storeFingerprintForResuming: false,
      retryDelays: [],
    }

    // First attempt: stopped after two chunks, as an interrupted client would be.
    const uploadUrl = await new Promise<string>((resolve, reject) => {
      const first = new Upload(Buffer.from(file.content), {
        ...options,
        onChunkComplete: (_chunk, accepted) => {
          if (accepted >= 2 * chunkSize) void first.abort().then(() => resolve(first.url!), reject)
        },
        onError: reject,
        onSuccess: () => reject(new Error('finished before it was stopped')),
      })
      first.start()
    })

    const head = await call('HEAD', uploadUrl.slice(server.base.length), {
      token: user.token,
      headers: { 'Tus-Resumable': '1.0.0' },
    })
    const stoppedAt = Number(head.headers.get('upload-offset'))
    expect(stoppedAt)
      .to.be.at.least(2 * chunkSize)
      .and.below(file.content.length)

    // Second attempt: a new client resumes from the URL.
    let resumedFrom = -1
    await new Promise<void>((resolve, reject) => {
      const again = new Upload(Buffer.from(file.content), {
        ...options,
        uploadUrl,
        onProgress: (sent) => {
          if (resumedFrom < 0) resumedFrom = sent
        },
        onError: reject,
        onSuccess: () => resolve(),
      })
      again.start()
    })
    expect(resumedFrom).to.be.greaterThan(stoppedAt - 1)

    const content = await call('GET', `/api/v1/backups/${file.input.backupId}/content`, { token: user.token })
    expect(content.status).to.equal(200)
    expect(Buffer.from(await content.arrayBuffer()).equals(Buffer.from(file.content))).to.equal(true)
    const account = await call('GET', '/api/v1/account', { token: user.token })
    const { quota } = (await account.json()) as { quota: { usedBytes: number } }
    expect(quota.usedBytes).to.equal(file.content.length)
  })
})
