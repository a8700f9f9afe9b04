/**
 * A small SnapshotStore over protocol v1.1's HTTP routes, so the real client engine (client/snapshot) can
 * back up to and restore from a real server in tests. It is a test double of the SDK's adapter, not the SDK:
 * the SDK's own HTTP SnapshotStore is built and owned elsewhere (client/sdk).
 */
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import {
  objectsMissing,
  packExists,
  quotaExceeded,
  snapshotExists,
  snapshotKeyExists,
  type StoreUnavailable,
  storeUnavailable,
} from '../../client/snapshot/errors'
import type { ObjectId } from '../../client/snapshot/object'
import { encodeCreateSnapshotBody } from '../../client/snapshot/snapshot-record'
import type { SnapshotRecord, SnapshotStore, StoredObject } from '../../client/snapshot/store'

type Call = (
  method: string,
  path: string,
  o?: { json?: unknown; headers?: Record<string, string>; body?: RequestInit['body'] },
) => Promise<Response>

const bytes = (b64: string): Uint8Array => new Uint8Array(Buffer.from(b64, 'base64url'))

type RecordDto = Omit<SnapshotRecord, 'encryptedMetadata' | 'signature'> & {
  encryptedMetadata: string
  signature: string
}
const toRecord = (dto: RecordDto): SnapshotRecord => ({
  ...dto,
  snapshotId: dto.snapshotId,
  encryptedMetadata: bytes(dto.encryptedMetadata),
  signature: bytes(dto.signature),
})

type ErrorDto = { error: { code: string; details?: { ids?: string[] } } }

/** A lazy task over one request; any status not handled is StoreUnavailable naming the status and code. */
const request =
  <E, A>(
    send: () => Promise<Response>,
    handle: (r: Response) => Promise<E.Either<E, A> | undefined>,
  ): TE.TaskEither<E | StoreUnavailable, A> =>
  async () => {
    try {
      const response = await send()
      const handled = await handle(response)
      if (handled !== undefined) return handled
      const code = response.headers.get('content-type')?.includes('json')
        ? ((await response.json()) as ErrorDto).error.code
        : ''
      return E.left(storeUnavailable(`HTTP ${response.status} ${code}`))
    } catch (cause) {
      return E.left(storeUnavailable(String(cause)))
    }
  }

/** Parses an objects body as it streams in: per id, id (32) | length (u32) | object. */
async function* objectsOf(body: ReadableStream<Uint8Array>): AsyncGenerator<StoredObject> {
  let pending = Buffer.alloc(0)
  for await (const chunk of body) {
    pending = Buffer.concat([pending, chunk])
    while (pending.length >= 36 && pending.length >= 36 + pending.readUInt32BE(32)) {
      const length = pending.readUInt32BE(32)
      const id = pending.subarray(0, 32).toString('hex') as ObjectId
      yield { id, bytes: new Uint8Array(pending.subarray(36, 36 + length)) }
      pending = pending.subarray(36 + length)
    }
  }
  if (pending.length > 0) throw new Error('objects body cut short')
}

export const httpSnapshotStore = (call: Call): SnapshotStore => ({
  getKey: () =>
    request(
      () => call('GET', '/api/v1/snapshot-key'),
      async (r) =>
        r.status === 404
          ? E.right(O.none)
          : r.status === 200
            ? E.right(O.some(bytes(((await r.json()) as { wrappedKey: string }).wrappedKey)))
            : undefined,
    ),
  putKey: (wrapped) =>
    request(
      () =>
        call('PUT', '/api/v1/snapshot-key', {
          json: { wrappedKey: Buffer.from(wrapped).toString('base64url') },
        }),
      (r) =>
        Promise.resolve(
          r.status === 201 || r.status === 200
            ? E.right(undefined)
            : r.status === 409
              ? E.left(snapshotKeyExists)
              : undefined,
        ),
    ),
  has: (ids) =>
    request(
      () => call('POST', '/api/v1/snapshot-objects/has', { json: { ids } }),
      async (r) =>
        r.status === 200
          ? E.right(new Set(((await r.json()) as { present: ObjectId[] }).present))
          : undefined,
    ),
  putPack: (pack) =>
    request(
      () =>
        call('PUT', `/api/v1/snapshot-packs/${pack.packId}`, {
          headers: { 'Content-Type': 'application/octet-stream', 'ZKEB-Content-SHA256': pack.sha256 },
          body: pack.bytes,
        }),
      async (r) => {
        if (r.status === 201 || r.status === 200) return E.right(undefined)
        if (r.status === 409) return E.left(packExists(pack.packId))
        if (r.status === 413 && ((await r.clone().json()) as ErrorDto).error.code === 'quota-exceeded')
          return E.left(quotaExceeded)
        return undefined
      },
    ),
  readObjects: (ids) =>
    request(
      () => call('POST', '/api/v1/snapshot-objects/read', { json: { ids } }),
      async (r) => {
        if (r.status === 404)
          return E.left(objectsMissing(((await r.json()) as ErrorDto).error.details?.ids ?? []))
        if (r.status !== 200) return undefined
        return r.body === null ? undefined : E.right(objectsOf(r.body))
      },
    ),
  putSnapshot: (snapshot) =>
    request(
      () =>
        call('POST', '/api/v1/snapshots', {
          headers: { 'Content-Type': 'application/vnd.zkeb.snapshot' },
          body: encodeCreateSnapshotBody(snapshot),
        }),
      async (r) => {
        if (r.status === 201 || r.status === 200) return E.right(toRecord((await r.json()) as RecordDto))
        if (r.status !== 409) return undefined
        const error = ((await r.json()) as ErrorDto).error
        return error.code === 'snapshot-exists'
          ? E.left(snapshotExists(snapshot.snapshotId))
          : E.left(objectsMissing(error.details?.ids ?? []))
      },
    ),
  listSnapshots: (q) => {
    const query = new URLSearchParams()
    if (q.limit !== undefined) query.set('limit', String(q.limit))
    if (q.cursor !== undefined) query.set('cursor', q.cursor)
    if (q.seriesId !== undefined) query.set('seriesId', q.seriesId)
    return request(
      () => call('GET', `/api/v1/snapshots?${query.toString()}`),
      async (r) => {
        if (r.status !== 200) return undefined
        const page = (await r.json()) as { items: RecordDto[]; nextCursor: string | null }
        return E.right({ items: page.items.map(toRecord), nextCursor: page.nextCursor })
      },
    )
  },
  getSnapshot: (id) =>
    request(
      () => call('GET', `/api/v1/snapshots/${id}`),
      async (r) =>
        r.status === 404
          ? E.right(O.none)
          : r.status === 200
            ? E.right(O.some(toRecord((await r.json()) as RecordDto)))
            : undefined,
    ),
  deleteSnapshot: (id) =>
    request(
      () => call('DELETE', `/api/v1/snapshots/${id}`),
      (r) =>
        Promise.resolve(r.status === 204 ? E.right(true) : r.status === 404 ? E.right(false) : undefined),
    ),
  stats: () =>
    request(
      () => call('GET', '/api/v1/snapshot-stats'),
      async (r) => {
        if (r.status !== 200) return undefined
        const s = (await r.json()) as {
          storedBytes: number
          objects: number
          packs: number
          snapshots: number
        }
        return E.right({
          storedBytes: s.storedBytes,
          objects: s.objects,
          packs: s.packs,
          snapshots: s.snapshots,
        })
      },
    ),
})
