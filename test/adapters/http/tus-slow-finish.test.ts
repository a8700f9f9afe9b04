/**
 * The PATCH that completes a tus upload finishes the backup after its body arrived (every part read back, hashed
 * and written again), which for gigabytes on a busy server outlasts the socket idle timeout with no byte on the
 * wire. Measured: a 1 GiB `zkeb push` failed with "fetch failed" when its last PATCH took over 120 s. Here the
 * parts are read from a blob store that answers slower than the server's idle timeout, so the finishing step is
 * idle on the socket for longer than that timeout; the answer must still arrive and the backup be committed.
 */
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { expect } from 'chai'
import { inMemoryBlobStore } from '../../../adapters/in-memory/in-memory-blob-store'
import { defaultServerTimeouts } from '../../../adapters/http/start-http-server'
import type { BlobStore } from '../../../application/ports/blob-store'
import { anUpload } from '../../support/test-client'
import { tusMetadataOf, uploadMetadataHeader } from '../../support/tus'
import { aUserWithDevice, type TestServer, startTestServer } from './http-test-kit'

const idleTimeoutMs = 300
const readDelayMs = 3 * idleTimeoutMs

/** The real in-memory blob store whose reads start late, as a slow disk or a busy database would. */
const slowToRead = (blobs: BlobStore): BlobStore => ({
  ...blobs,
  read: (accountId, blobId, range) => ({
    async *[Symbol.asyncIterator]() {
      await sleep(readDelayMs)
      yield* blobs.read(accountId, blobId, range)
    },
  }),
})

describe('tus: finishing outlasts the socket idle timeout @memory', () => {
  let server: TestServer

  beforeEach(async () => {
    server = await startTestServer({
      overrides: { blobs: slowToRead(inMemoryBlobStore(() => new Date())) },
      timeouts: { ...defaultServerTimeouts, socketIdleTimeoutMs: idleTimeoutMs },
    })
    server.zkeb.clock.set(new Date())
  })
  afterEach(() => server.close())

  it('answers the completing PATCH and commits the backup although the server worked silently for longer', async () => {
    const user = await aUserWithDevice(server)
    const up = anUpload(user.device.deviceId, user.device.key, { content: randomBytes(5000) })
    const tus = { 'Tus-Resumable': '1.0.0' }
    const created = await server.call('POST', '/api/v1/uploads', {
      token: user.token,
      headers: {
        ...tus,
        'Upload-Length': String(up.content.length),
        'Upload-Metadata': uploadMetadataHeader(tusMetadataOf(up)),
      },
    })
    expect(created.status).to.equal(201)
    const location = created.headers.get('location')!
    const patch = (offset: number, body: Uint8Array) =>
      server.call('PATCH', location, {
        token: user.token,
        headers: {
          ...tus,
          'Content-Type': 'application/offset+octet-stream',
          'Upload-Offset': String(offset),
        },
        body,
      })

    expect((await patch(0, up.content.subarray(0, 2000))).status).to.equal(204)
    const last = await patch(2000, up.content.subarray(2000))
    expect(last.status).to.equal(204)
    expect(last.headers.get('upload-offset')).to.equal(String(up.content.length))

    const backup = await server.call('GET', `/api/v1/backups/${up.input.backupId}`, { token: user.token })
    expect(backup.status).to.equal(200)
    expect(((await backup.json()) as { sha256: string }).sha256).to.equal(up.input.contentSha256)
  })
})
