/**
 * Stream slots over real sockets: one account may hold ACCOUNT_STREAMS_MAX content streams at once (downloads,
 * uploads, restic objects); one more is 429 `too-many-streams`, other accounts and HEAD are not affected, and a
 * slot comes back when its stream finishes, fails, is aborted, its client goes away or stalls past the
 * stalled-stream timeout (which ends the connection).
 */
import { createHash, randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { expect } from 'chai'
import { defaultHttpLimits } from '../../../adapters/http/create-http-app'
import { defaultServerTimeouts } from '../../../adapters/http/start-http-server'
import { pausedPeer, type Peer, requestHead } from '../../faults/paused-peers-kit'
import { anUpload } from '../../support/test-client'
import {
  aUserWithDevice,
  basicAuth,
  expectError,
  resticTokenOverHttp,
  type TestServer,
  startTestServer,
  uploadHeaders,
  uploadOverHttp,
} from './http-test-kit'

/** Larger than loopback's socket buffers on both sides: a reader that never reads holds its stream open. */
const bigBytes = 24 * 1024 * 1024

const anOwner = async (server: TestServer) => {
  const user = await aUserWithDevice(server)
  const backup = anUpload(user.device.deviceId, user.device.key, { content: randomBytes(bigBytes) })
  expect((await uploadOverHttp(server, user.token, backup)).status).to.equal(201)
  const contentPath = `/api/v1/backups/${backup.input.backupId}/content`
  const reader = (port: number): Promise<Peer> =>
    pausedPeer(port, requestHead('GET', contentPath, { Authorization: `Bearer ${user.token}` }))
  const download = () => server.call('GET', contentPath, { token: user.token })
  return { user, backup, contentPath, reader, download }
}

/** Polls a whole download until it is 200; fails after `ms`. */
const downloadsWithin = async (download: () => Promise<Response>, ms: number): Promise<void> => {
  const until = Date.now() + ms
  for (;;) {
    const res = await download()
    await res.arrayBuffer()
    if (res.status === 200) return
    if (Date.now() > until) throw new Error(`download still ${res.status} after ${ms} ms`)
    await sleep(50)
  }
}

describe('HTTP api-v1: stream slots per account @memory', () => {
  let server: TestServer
  let port: number
  const peers: Peer[] = []

  beforeEach(async () => {
    server = await startTestServer({ limits: { ...defaultHttpLimits, accountStreamsMax: 2 } })
    port = Number(new URL(server.base).port)
  })
  afterEach(async () => {
    for (const peer of peers.splice(0)) peer.close()
    await server.close()
  })

  it('answers 429 too-many-streams beyond the limit; HEAD and another account still pass', async () => {
    const owner = await anOwner(server)
    const restic = await resticTokenOverHttp(server, owner.user.token)
    const auth = basicAuth(owner.user.account.username, restic.token)
    const data = randomBytes(100)
    const name = createHash('sha256').update(data).digest('hex')
    const saved = await server.call('POST', `/restic/repo/data/${name}`, {
      headers: { Authorization: auth },
      body: data,
    })
    expect(saved.status).to.equal(200)
    const other = await anOwner(server)

    peers.push(await owner.reader(port), await owner.reader(port))
    await sleep(300)
    const refused = await owner.download()
    expect(refused.headers.get('retry-after')).to.equal('1')
    const error = await expectError(refused, 429, 'too-many-streams')
    expect(error.retryable).to.equal(true)
    expect(error.details).to.deep.equal({ maxStreams: 2 })
    const upload = anUpload(owner.user.device.deviceId, owner.user.device.key, {
      content: randomBytes(64 * 1024),
    })
    await expectError(await uploadOverHttp(server, owner.user.token, upload), 429, 'too-many-streams')
    const resticGet = await server.call('GET', `/restic/repo/data/${name}`, {
      headers: { Authorization: auth },
    })
    expect(resticGet.status).to.equal(429)
    expect(await resticGet.text()).to.match(/^Too Many Requests/)
    const resticHead = await server.call('HEAD', `/restic/repo/data/${name}`, {
      headers: { Authorization: auth },
    })
    expect(resticHead.status).to.equal(200)
    const head = await server.call('HEAD', owner.contentPath, { token: owner.user.token })
    expect(head.status).to.equal(200)

    const others = await Promise.all([other.download(), other.download()])
    expect(others.map((r) => r.status)).to.deep.equal([200, 200])
    await Promise.all(others.map((r) => r.arrayBuffer()))
  })

  it('gives a slot back when its client goes away', async () => {
    const owner = await anOwner(server)
    const first = await owner.reader(port)
    peers.push(first, await owner.reader(port))
    await sleep(300)
    const refused = await owner.download()
    expect(refused.status).to.equal(429)
    await refused.arrayBuffer()
    first.close()
    await downloadsWithin(owner.download, 3000)
  })

  it('gives slots back when streams finish, fail or their upload is aborted', async () => {
    const owner = await anOwner(server)
    peers.push(await owner.reader(port))
    await sleep(300)
    for (let i = 0; i < 4; i++) {
      const done = await owner.download()
      expect(done.status).to.equal(200)
      expect((await done.arrayBuffer()).byteLength).to.equal(bigBytes)
    }
    for (let i = 0; i < 4; i++) {
      const missing = await server.call('GET', `/api/v1/backups/${crypto.randomUUID()}/content`, {
        token: owner.user.token,
      })
      await expectError(missing, 404, 'backup-not-found')
    }
    const upload = anUpload(owner.user.device.deviceId, owner.user.device.key, { content: randomBytes(4096) })
    const writer = await pausedPeer(
      port,
      requestHead('PUT', `/api/v1/backups/${upload.input.backupId}/content`, {
        Authorization: `Bearer ${owner.user.token}`,
        ...uploadHeaders(upload),
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(upload.content.length),
      }),
      upload.content.subarray(0, 1000),
    )
    await sleep(300)
    const refused = await owner.download()
    expect(refused.status).to.equal(429)
    await refused.arrayBuffer()
    writer.close()
    await downloadsWithin(owner.download, 3000)
  })
})

describe('HTTP api-v1: a stream that stalls ends its connection @memory', () => {
  const stalledMs = 1000
  let server: TestServer
  let port: number
  const peers: Peer[] = []

  beforeEach(async () => {
    server = await startTestServer({
      limits: { ...defaultHttpLimits, accountStreamsMax: 1 },
      timeouts: { ...defaultServerTimeouts, socketIdleTimeoutMs: stalledMs },
    })
    port = Number(new URL(server.base).port)
  })
  afterEach(async () => {
    for (const peer of peers.splice(0)) peer.close()
    await server.close()
  })

  const endedWithin = async (peer: Peer, ms: number): Promise<void> => {
    peer.resume()
    const closed = await Promise.race([peer.closed.then(() => true), sleep(ms).then(() => false)])
    expect(closed, 'the server kept the stalled connection').to.equal(true)
  }

  it('ends a download whose client stops reading, and frees its slot', async () => {
    const owner = await anOwner(server)
    const reader = await owner.reader(port)
    peers.push(reader)
    await sleep(300)
    const refused = await owner.download()
    expect(refused.status).to.equal(429)
    await refused.arrayBuffer()
    await downloadsWithin(owner.download, stalledMs + 3000)
    await endedWithin(reader, 3000)
  })

  it('ends an upload whose client stops sending, and frees its slot', async () => {
    const owner = await anOwner(server)
    const upload = anUpload(owner.user.device.deviceId, owner.user.device.key, { content: randomBytes(4096) })
    const writer = await pausedPeer(
      port,
      requestHead('PUT', `/api/v1/backups/${upload.input.backupId}/content`, {
        Authorization: `Bearer ${owner.user.token}`,
        ...uploadHeaders(upload),
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(upload.content.length),
      }),
      upload.content.subarray(0, 1000),
    )
    peers.push(writer)
    await sleep(300)
    const refused = await owner.download()
    expect(refused.status).to.equal(429)
    await refused.arrayBuffer()
    await downloadsWithin(owner.download, stalledMs + 3000)
    await endedWithin(writer, 3000)
  })
})
