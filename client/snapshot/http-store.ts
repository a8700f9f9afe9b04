/**
 * The snapshot engine's SnapshotStore (store.ts) over protocol v1.1's HTTP routes (docs/api.md,
 * Snapshots), through the session's transport: bearer auth, one refresh on 401, retries of 429/503. Packs are
 * streamed from a body factory (so a retried attempt sends them again from the start); object reads are parsed
 * as they arrive. The server's refusals become the engine's errors; any other answer is StoreUnavailable with
 * its status and api-v1 code, never a body.
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
  type PackExists,
  type QuotaExceeded,
  type StoreUnavailable,
  storeUnavailable,
} from './errors'
import type { ObjectId } from './object'
import { encodeCreateSnapshotBody, type SnapshotId } from './snapshot-record'
import type { SnapshotRecord, SnapshotStore } from './store'
import { b64, fromB64 } from '../sdk/encoding'
import { describeError, isZkebError } from '../sdk/errors'
import type { RequestSpec, Transport } from '../sdk/http-transport'
import type { Session } from '../sdk/session'
import { objectsOf } from './http-objects'
import { fromReadableStream } from '../sdk/streams'

type Send = Transport['send']
type ErrorBody = Readonly<{ error?: { code?: string; details?: { ids?: unknown } } }>
type RecordDto = Omit<SnapshotRecord, 'encryptedMetadata' | 'signature' | 'snapshotId'> &
  Readonly<{ snapshotId: string; encryptedMetadata: string; signature: string }>

/** Slices of a streamed pack body: small enough to keep the socket busy, large enough to cost nothing. */
const PART_BYTES = 1024 * 1024

const errorOf = async (res: Response): Promise<ErrorBody['error'] & object> => {
  try {
    return ((await res.json()) as ErrorBody).error ?? {}
  } catch {
    return {}
  }
}
const idsOf = (error: ErrorBody['error']): ReadonlyArray<string> =>
  Array.isArray(error?.details?.ids) ? (error.details.ids as unknown[]).map(String) : []

const unavailable = async (res: Response): Promise<StoreUnavailable> => {
  const code = (await errorOf(res)).code ?? 'no-code'
  return { ...storeUnavailable(`HTTP ${res.status} ${code}`), status: res.status, code }
}

const toRecord = (dto: RecordDto): SnapshotRecord => ({
  ...dto,
  snapshotId: dto.snapshotId as SnapshotId,
  encryptedMetadata: fromB64(dto.encryptedMetadata, 'encryptedMetadata'),
  signature: fromB64(dto.signature, 'signature'),
})

/**
 * One request as a lazy task: `handle` answers the statuses it knows (undefined for any other, which becomes
 * StoreUnavailable). A failure to reach the server is StoreUnavailable too: the port never rejects.
 */
const call =
  <L, A>(
    send: Send,
    spec: RequestSpec,
    handle: (res: Response) => Promise<E.Either<L, A> | undefined>,
  ): TE.TaskEither<L | StoreUnavailable, A> =>
  async () => {
    try {
      const res = await send({ ...spec, auth: true })
      return (await handle(res)) ?? E.left(await unavailable(res))
    } catch (e) {
      if (isZkebError(e)) return E.left(storeUnavailable(describeError(e.error)))
      return E.left(storeUnavailable(e instanceof Error ? e.message : 'the request failed'))
    }
  }

const json = async <A>(res: Response): Promise<A> => (await res.json()) as A
const done = async (res: Response): Promise<E.Either<never, void>> => {
  await res.body?.cancel()
  return E.right(undefined)
}

/** The pack's bytes as a stream of PART_BYTES slices (views, no copies). */
const streamOf = (bytes: Uint8Array) => (): ReadableStream<Uint8Array> => {
  let at = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close()
      controller.enqueue(bytes.subarray(at, at + PART_BYTES))
      at += PART_BYTES
    },
  })
}

const query = (q: Readonly<Record<string, string | number | undefined>>): string => {
  const entries = Object.entries(q).filter((e): e is [string, string | number] => e[1] !== undefined)
  return new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()
}

/** A SnapshotStore over any transport (the session's, or a test's). */
export const snapshotStoreOver = (send: Send): SnapshotStore => ({
  getKey: () =>
    call(send, { method: 'GET', path: '/api/v1/snapshot-key' }, async (res) =>
      res.status === 404
        ? (await res.body?.cancel(), E.right(O.none))
        : res.status === 200
          ? E.right(O.some(fromB64((await json<{ wrappedKey: string }>(res)).wrappedKey, 'wrappedKey')))
          : undefined,
    ),
  putKey: (wrapped) =>
    call(send, { method: 'PUT', path: '/api/v1/snapshot-key', json: { wrappedKey: b64(wrapped) } }, (res) =>
      res.status === 200 || res.status === 201
        ? done(res)
        : Promise.resolve(res.status === 409 ? E.left(snapshotKeyExists) : undefined),
    ),
  has: (ids) =>
    call(send, { method: 'POST', path: '/api/v1/snapshot-objects/has', json: { ids } }, async (res) =>
      res.status === 200 ? E.right(new Set((await json<{ present: ObjectId[] }>(res)).present)) : undefined,
    ),
  putPack: (pack) =>
    call(
      send,
      {
        method: 'PUT',
        path: `/api/v1/snapshot-packs/${pack.packId}`,
        headers: {
          'Content-Type': 'application/octet-stream',
          'Content-Length': String(pack.bytes.length),
          'ZKEB-Content-SHA256': pack.sha256,
        },
        body: streamOf(pack.bytes),
      },
      async (res): Promise<E.Either<PackExists | QuotaExceeded, void> | undefined> => {
        if (res.status === 200 || res.status === 201) return done(res)
        if (res.status !== 409 && res.status !== 413) return undefined
        const code = (await errorOf(res.clone())).code
        if (code === 'pack-exists') return E.left(packExists(pack.packId))
        return code === 'quota-exceeded' ? E.left(quotaExceeded) : undefined
      },
    ),
  readObjects: (ids) =>
    call(send, { method: 'POST', path: '/api/v1/snapshot-objects/read', json: { ids } }, async (res) => {
      if (res.status === 404) {
        const error = await errorOf(res.clone())
        return error.code === 'objects-missing' ? E.left(objectsMissing(idsOf(error))) : undefined
      }
      if (res.status !== 200 || res.body === null) return undefined
      return E.right(objectsOf(fromReadableStream(res.body)))
    }),
  putSnapshot: (snapshot) =>
    call(
      send,
      {
        method: 'POST',
        path: '/api/v1/snapshots',
        headers: { 'Content-Type': 'application/vnd.zkeb.snapshot' },
        body: streamOf(encodeCreateSnapshotBody(snapshot)),
      },
      async (res) => {
        if (res.status === 200 || res.status === 201) return E.right(toRecord(await json<RecordDto>(res)))
        if (res.status !== 409) return undefined
        const error = await errorOf(res.clone())
        if (error.code === 'snapshot-exists') return E.left(snapshotExists(snapshot.snapshotId))
        return error.code === 'objects-missing' ? E.left(objectsMissing(idsOf(error))) : undefined
      },
    ),
  listSnapshots: (q) =>
    call(
      send,
      {
        method: 'GET',
        path: `/api/v1/snapshots?${query({ limit: q.limit, cursor: q.cursor, seriesId: q.seriesId })}`,
      },
      async (res) => {
        if (res.status !== 200) return undefined
        const page = await json<{ items: RecordDto[]; nextCursor: string | null }>(res)
        return E.right({ items: page.items.map(toRecord), nextCursor: page.nextCursor })
      },
    ),
  getSnapshot: (id) =>
    call(send, { method: 'GET', path: `/api/v1/snapshots/${encodeURIComponent(id)}` }, async (res) =>
      res.status === 404
        ? (await res.body?.cancel(), E.right(O.none))
        : res.status === 200
          ? E.right(O.some(toRecord(await json<RecordDto>(res))))
          : undefined,
    ),
  deleteSnapshot: (id) =>
    call(send, { method: 'DELETE', path: `/api/v1/snapshots/${encodeURIComponent(id)}` }, async (res) =>
      res.status === 204 || res.status === 404
        ? (await res.body?.cancel(), E.right(res.status === 204))
        : undefined,
    ),
  stats: () =>
    call(send, { method: 'GET', path: '/api/v1/snapshot-stats' }, async (res) => {
      if (res.status !== 200) return undefined
      const s = await json<{ storedBytes: number; objects: number; packs: number; snapshots: number }>(res)
      return E.right({
        storedBytes: s.storedBytes,
        objects: s.objects,
        packs: s.packs,
        snapshots: s.snapshots,
      })
    }),
})

/** The account's snapshot store, in this session. */
export const snapshotStoreOf = (session: Session): SnapshotStore =>
  snapshotStoreOver(session.http.transport.send)
