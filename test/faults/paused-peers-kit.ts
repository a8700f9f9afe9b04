/**
 * What the paused-peer suites share: the real server process on a small database pool with a chosen blob
 * store, peers that open a stream and then stop (a reader that never reads, a writer that stops sending), and
 * a bystander account whose list, metadata and upload requests are timed while they hold on.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect } from 'chai'
import {
  aUserWithDevice,
  basicAuth,
  httpCaller,
  type HttpCaller,
  resticTokenOverHttp,
  uploadHeaders,
  uploadOverHttp,
} from '../adapters/http/http-test-kit'
import { freshDatabase, healthBecomes, listeningPort, spawnServer } from '../support/server-process'
import { anUpload } from '../support/test-client'
import { tusMetadataOf, uploadMetadataHeader } from '../support/tus'

export type BlobStoreKind = 'fs' | 'postgres'

export type RunningServer = Readonly<{ base: string; port: number; call: HttpCaller['call'] }>

/** Starts servers on fresh databases; every process, database and folder is removed by `cleanUp`. */
export const serverFarm = () => {
  const cleanups: Array<() => Promise<void>> = []
  return {
    start: async (store: BlobStoreKind, extraEnv: Record<string, string> = {}): Promise<RunningServer> => {
      const database = await freshDatabase(`zkeb_paused_${store}`)
      if (database === null) throw new Error('TEST_DATABASE_URL is required')
      const dataDir = await mkdtemp(path.join(tmpdir(), `zkeb-paused-${store}-`))
      const server = spawnServer(
        {
          ...process.env,
          NODE_ENV: 'test',
          DATA_DIR: dataDir,
          PORT: '0',
          HOST: '127.0.0.1',
          STORE: 'memory',
          DATABASE_URL: database.url,
          DATABASE_POOL_MAX: '4',
          BLOB_STORE: store,
          ...(store === 'fs' ? { BLOB_DIR: path.join(dataDir, 'blobs') } : {}),
          RATE_LIMIT_ACCOUNT_PER_MINUTE: '1000000',
          LOG_LEVEL: 'info',
          ...extraEnv,
        },
        true,
      )
      cleanups.push(async () => {
        if (server.child.exitCode === null) server.child.kill('SIGKILL')
        await server.exited
        await database.drop()
        await rm(dataDir, { recursive: true, force: true })
      })
      const port = await listeningPort(server)
      const base = `http://127.0.0.1:${port}`
      await healthBecomes(base, 200, 30_000)
      return { base, port, call: httpCaller(base) }
    },
    cleanUp: async () => {
      for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined)
    },
  }
}

export type Peer = Readonly<{
  close: () => void
  /** Starts reading again (dropping what comes), so an end the server sent is seen. */
  resume: () => void
  closed: Promise<void>
}>

/**
 * Sends `head` (and `body`, if any) on a fresh connection, then neither reads nor sends: the socket is paused,
 * so once the kernel's buffers fill the server can write no more. `closed` resolves once the peer saw its end
 * (a paused peer sees nothing: `resume` first).
 */
export const pausedPeer = (port: number, head: string, body?: Uint8Array): Promise<Peer> =>
  new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(head)
      if (body !== undefined) socket.write(body)
      socket.pause()
      resolve({ close: () => socket.destroy(), resume: () => void socket.resume(), closed })
    })
    const closed = new Promise<void>((done) => socket.once('close', () => done()))
    socket.on('error', reject)
  })

export const requestHead = (method: string, target: string, headers: Record<string, string>): string =>
  `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`

export type Attacker = Awaited<ReturnType<typeof anAttacker>>

/** An account with one large backup and one large restic data object, both `size` bytes. */
export const anAttacker = async (server: RunningServer, size: number) => {
  const user = await aUserWithDevice(server)
  const backup = anUpload(user.device.deviceId, user.device.key, { content: randomBytes(size) })
  const stored = await uploadOverHttp(server, user.token, backup)
  expect(stored.status, await stored.text()).to.equal(201)
  const restic = await resticTokenOverHttp(server, user.token)
  const auth = basicAuth(user.account.username, restic.token)
  const data = randomBytes(size)
  const name = createHash('sha256').update(data).digest('hex')
  const saved = await server.call('POST', `/restic/repo/data/${name}`, {
    headers: { Authorization: auth },
    body: data,
  })
  expect(saved.status, await saved.text()).to.equal(200)
  return { user, backup, auth, dataName: name }
}

/** Ten readers: five of the backup's content, five of the restic object; none reads a byte. */
export const pausedReaders = (server: RunningServer, a: Attacker, count = 10): Promise<Peer[]> =>
  Promise.all(
    Array.from({ length: count }, (_, i) =>
      pausedPeer(
        server.port,
        i % 2 === 0
          ? requestHead('GET', `/api/v1/backups/${a.backup.input.backupId}/content`, {
              Authorization: `Bearer ${a.user.token}`,
            })
          : requestHead('GET', `/restic/repo/data/${a.dataName}`, { Authorization: a.auth }),
      ),
    ),
  )

const firstMiB = randomBytes(1024 * 1024)

/** A tus upload of `size` bytes, created; its PATCH is left to the caller. */
const tusUpload = async (server: RunningServer, a: Attacker, size: number): Promise<string> => {
  const upload = anUpload(a.user.device.deviceId, a.user.device.key, { content: randomBytes(16) })
  const created = await server.call('POST', '/api/v1/uploads', {
    token: a.user.token,
    headers: {
      'Tus-Resumable': '1.0.0',
      'Upload-Length': String(size),
      'Upload-Metadata': uploadMetadataHeader(tusMetadataOf(upload)),
    },
  })
  expect(created.status, await created.text()).to.equal(201)
  return new URL(created.headers.get('location') ?? '', server.base).pathname
}

/**
 * Ten writers that announce `size` bytes, send one MiB and stop: one-shot uploads, restic data POSTs and tus
 * PATCHes in turn.
 */
export const pausedWriters = async (server: RunningServer, a: Attacker, size: number): Promise<Peer[]> => {
  const peers: Peer[] = []
  for (let i = 0; i < 10; i++) {
    const length = { 'Content-Length': String(size) }
    if (i % 3 === 0) {
      const upload = anUpload(a.user.device.deviceId, a.user.device.key)
      const head = requestHead('PUT', `/api/v1/backups/${upload.input.backupId}/content`, {
        Authorization: `Bearer ${a.user.token}`,
        ...uploadHeaders(upload),
        'Content-Type': 'application/octet-stream',
        ...length,
      })
      peers.push(await pausedPeer(server.port, head, firstMiB))
    } else if (i % 3 === 1) {
      const name = randomBytes(32).toString('hex')
      const head = requestHead('POST', `/restic/repo/data/${name}`, { Authorization: a.auth, ...length })
      peers.push(await pausedPeer(server.port, head, firstMiB))
    } else {
      const at = await tusUpload(server, a, size)
      const head = requestHead('PATCH', at, {
        Authorization: `Bearer ${a.user.token}`,
        'Tus-Resumable': '1.0.0',
        'Upload-Offset': '0',
        'Content-Type': 'application/offset+octet-stream',
        ...length,
      })
      peers.push(await pausedPeer(server.port, head, firstMiB))
    }
  }
  return peers
}
