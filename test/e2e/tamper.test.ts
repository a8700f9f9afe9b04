/**
 * Tampering over the real HTTP app, each case refused by the client or the server. A lying server or storage is
 * a fetch that rewrites answers; a man in the middle is a fetch that rewrites requests. Cases already covered
 * closer to the code are not repeated here: a flipped, cut or reordered segment stream in
 * test/client/crypto/segments.test.ts, a cut or garbage download through the CLI in
 * test/client/cli/cli-failures.test.ts, an altered record signature in test/client/sdk/recover-and-verify.test.ts,
 * and a revoked device's upload with a synthetic client in test/adapters/http/sessions-and-access.test.ts.
 */
import { randomUUID } from 'node:crypto'
import { expect } from 'chai'
import type { TestServer } from '../adapters/http/http-test-kit'
import {
  listBackups,
  loadDevice,
  login,
  pull,
  push,
  register,
  registerDevice,
  revokeDevice,
  type BackupRecord,
  type FetchLike,
  type Session,
  type SdkError,
} from '../../client/sdk'
import { HEADER_BYTES } from '../../client/crypto'
import { withBody } from '../client/cli/cli-kit'
import {
  aPassword,
  aServer,
  aUsername,
  left,
  optionsFor,
  readAll,
  right,
  someBytes,
} from '../client/sdk/sdk-kit'

const segmentBytes = 1024 * 1024 + 16

/** What reading a pulled backup's content throws, as an SdkError (fails the test if it reads to the end). */
const readingFails = async (content: AsyncIterable<Uint8Array>): Promise<SdkError> => {
  try {
    await readAll(content)
  } catch (e) {
    return (e as { error: SdkError }).error
  }
  throw new Error('the tampered content was read to the end')
}

const metadataFor = (name: string, size: number) => ({
  name,
  size,
  mtime: '2025-01-01T00:00:00.000Z',
  type: 'application/octet-stream',
  tags: [],
})

const isRecordOf = (url: string, init: RequestInit, backupId: string): boolean =>
  (init.method ?? 'GET') === 'GET' && new URL(url).pathname === `/api/v1/backups/${backupId}`
const isContentOf = (url: string, init: RequestInit, backupId: string): boolean =>
  (init.method ?? 'GET') === 'GET' && new URL(url).pathname === `/api/v1/backups/${backupId}/content`

/** A server that answers B's record with some fields taken from A's. */
const recordSplicing =
  (
    records: Readonly<Record<string, BackupRecord>>,
    from: string,
    into: string,
    fields: Array<keyof BackupRecord>,
  ) =>
  (): FetchLike =>
  async (url, init) => {
    const res = await fetch(url, init)
    if (!isRecordOf(url, init, into)) return res
    const record = (await res.json()) as BackupRecord
    const moved = Object.fromEntries(fields.map((f) => [f, records[from]![f]]))
    return Response.json({ ...record, ...moved })
  }

/** A server that answers `backupId`'s content with `rewrite` applied to the stored ciphertext. */
const contentRewriting =
  (backupId: string, rewrite: (ciphertext: Buffer) => Buffer): FetchLike =>
  async (url, init) => {
    const res = await fetch(url, init)
    if (!isContentOf(url, init, backupId)) return res
    return withBody(res, rewrite(Buffer.from(await res.arrayBuffer())))
  }

/** A man in the middle that flips one byte of every upload body on its way to the server. */
const uploadFlipping =
  (at: number): FetchLike =>
  async (url, init) => {
    if (init.method !== 'PUT' || !(init.body instanceof ReadableStream)) return fetch(url, init)
    let seen = 0
    const flip = new TransformStream<Uint8Array, Uint8Array>({
      transform: (chunk, controller) => {
        const copy = new Uint8Array(chunk)
        if (at >= seen && at < seen + copy.length) copy[at - seen]! ^= 0x01
        seen += copy.length
        controller.enqueue(copy)
      },
    })
    return fetch(url, { ...init, body: (init.body as ReadableStream<Uint8Array>).pipeThrough(flip) })
  }

describe('tampering, refused by the client or the server (over HTTP)', function () {
  this.timeout(60_000)
  let server: TestServer
  const username = aUsername()
  const password = aPassword()
  let session: Session
  let wrappedLaptopKey: Uint8Array
  const contents: Record<string, Uint8Array> = {}
  const records: Record<string, BackupRecord> = {}
  let small: string
  let large: string

  const sessionWith = async (fetchLike: FetchLike): Promise<Session> => {
    const s = right(await login(optionsFor(server, { fetch: fetchLike }), { username, password }))
    return right(await loadDevice(s, session.device!.deviceId, wrappedLaptopKey))
  }

  before(async () => {
    server = await aServer()
    right(await register(optionsFor(server), { username, password }))
    const registered = right(
      await registerDevice(right(await login(optionsFor(server), { username, password })), 'laptop'),
    )
    session = registered.session
    wrappedLaptopKey = registered.wrappedPrivateKey
    for (const [name, bytes] of [
      ['small', someBytes(50_000, 3)],
      ['large', someBytes(1024 * 1024 + 300_000, 4)],
    ] as const) {
      const { backupId } = right(
        await push(session, { source: () => [bytes], metadata: metadataFor(name, bytes.length) }),
      )
      contents[backupId] = bytes
      if (name === 'small') small = backupId
      else large = backupId
      records[backupId] = await session.http.getBackup(backupId)
    }
  })
  after(() => server.close())

  it('pulls both backups untouched (the baseline the cases below alter)', async () => {
    for (const backupId of [small, large]) {
      const pulled = right(await pull(session, backupId))
      expect((await readAll(pulled.content)).equals(Buffer.from(contents[backupId]!))).to.equal(true)
    }
  })

  describe('the client refuses what a lying server or storage serves', () => {
    it('a flipped ciphertext byte in the download', async () => {
      const flipped = contentRewriting(large, (c) => {
        c[HEADER_BYTES + 1000]! ^= 0x01
        return c
      })
      const pulled = right(await pull(await sessionWith(flipped), large))
      expect(await readingFails(pulled.content)).to.include({ _tag: 'ContentCorrupt' })
    })

    it('a download truncated exactly at a segment boundary', async () => {
      const cut = contentRewriting(large, (c) => c.subarray(0, HEADER_BYTES + segmentBytes))
      const pulled = right(await pull(await sessionWith(cut), large))
      expect(await readingFails(pulled.content)).to.include({ _tag: 'ContentCorrupt' })
    })

    it('reordered segments', async () => {
      const reordered = contentRewriting(large, (c) => {
        const header = c.subarray(0, HEADER_BYTES)
        const first = c.subarray(HEADER_BYTES, HEADER_BYTES + segmentBytes)
        const rest = c.subarray(HEADER_BYTES + segmentBytes)
        return Buffer.concat([header, rest, first])
      })
      const pulled = right(await pull(await sessionWith(reordered), large))
      expect(await readingFails(pulled.content)).to.include({ _tag: 'ContentCorrupt' })
    })

    it('a wrapped key moved from another backup (not signed, but bound to the backup id)', async () => {
      const moved = recordSplicing(records, small, large, ['wrappedKey'])()
      expect(left(await pull(await sessionWith(moved), large))).to.deep.equal({
        _tag: 'KeysUnreadable',
        what: 'dek',
      })
    })

    it('metadata moved from another backup: pull refuses the record, the list shows it unreadable', async () => {
      const moved = recordSplicing(records, small, large, ['encryptedMetadata'])()
      expect(left(await pull(await sessionWith(moved), large))).to.deep.equal({
        _tag: 'BadSignature',
        reason: 'mismatch',
      })
      const movedInList: FetchLike = async (url, init) => {
        const res = await fetch(url, init)
        if (new URL(url).pathname !== '/api/v1/backups') return res
        const page = (await res.json()) as { items: BackupRecord[] }
        const items = page.items.map((r) =>
          r.backupId === large ? { ...r, encryptedMetadata: records[small]!.encryptedMetadata } : r,
        )
        return Response.json({ ...page, items })
      }
      const listed = right(await listBackups(await sessionWith(movedInList)))
      expect(listed.find((v) => v.backupId === large)?.metadata).to.equal(null)
      expect(listed.find((v) => v.backupId === small)?.metadata?.name).to.equal('small')
    })

    it('a signature replayed from another backup', async () => {
      const replayed = recordSplicing(records, small, large, ['signature'])()
      expect(left(await pull(await sessionWith(replayed), large))).to.deep.equal({
        _tag: 'BadSignature',
        reason: 'mismatch',
      })
    })
  })

  describe('the server refuses what a man in the middle or a thief sends', () => {
    it('a flipped ciphertext byte in the upload, keeping nothing', async () => {
      const backupId = randomUUID()
      const bytes = someBytes(20_000, 9)
      const tampering = await sessionWith(uploadFlipping(HEADER_BYTES + 5))
      const refused = left(
        await push(tampering, { backupId, source: () => [bytes], metadata: metadataFor('x', bytes.length) }),
      )
      expect(refused).to.include({ _tag: 'ApiError', status: 422, code: 'content-hash-mismatch' })
      const lookup = await session.http.getBackup(backupId).catch((e: { error: SdkError }) => e.error)
      expect(lookup).to.include({ _tag: 'ApiError', status: 404 })
    })

    it('a signature replayed for another backup id, with the same body and headers', async () => {
      const token = session.http.transport.tokens()!.accessToken
      const original = records[small]!
      const body = await server.call('GET', `/api/v1/backups/${small}/content`, { token })
      const replay = await server.call('PUT', `/api/v1/backups/${randomUUID()}/content`, {
        token,
        headers: {
          'Content-Type': 'application/octet-stream',
          'ZKEB-Device-Id': original.deviceId,
          'ZKEB-Content-SHA256': original.sha256,
          'ZKEB-Signature': original.signature,
          'ZKEB-Wrapped-Key': original.wrappedKey,
          'ZKEB-Metadata': original.encryptedMetadata,
        },
        body: Buffer.from(await body.arrayBuffer()),
      })
      expect(replay.status).to.equal(422)
      expect(((await replay.json()) as { error: { code: string } }).error.code).to.equal('bad-signature')
    })

    it('an upload signed by a revoked device, even from another live session that holds its key', async () => {
      const phone = right(
        await registerDevice(right(await login(optionsFor(server), { username, password })), 'phone'),
      )
      const thief = right(
        await registerDevice(right(await login(optionsFor(server), { username, password })), 'tablet'),
      )
      right(await revokeDevice(thief.session, phone.deviceId))
      const signedByPhone = right(await loadDevice(thief.session, phone.deviceId, phone.wrappedPrivateKey))
      const bytes = someBytes(1000, 5)
      const refused = left(
        await push(signedByPhone, { source: () => [bytes], metadata: metadataFor('y', 1000) }),
      )
      expect(refused).to.include({ _tag: 'ApiError', status: 403, code: 'device-revoked' })
      const own = left(await push(phone.session, { source: () => [bytes], metadata: metadataFor('z', 1000) }))
      expect(own).to.include({ _tag: 'ApiError', status: 403, code: 'device-revoked' })
    })
  })
})
