/**
 * The calls of the staged key rotation (docs/api.md, "Key rotation"), beside http-client.ts: begin, the open
 * rotation, the backups still to re-wrap, a page of keys, commit, abort, and the snapshot key to re-wrap.
 */
import * as t from 'io-ts'
import { expectJson, expectStatus, type Transport } from './http-transport'
import * as W from './wire'

const KeyItem = t.type({ backupId: t.string, wrappedKey: t.string })
const Started = t.type({ rotationId: t.string, expiresAt: t.string, backupCount: t.number })
const State = t.type({
  rotationId: t.string,
  expectedVersion: t.number,
  keyBundle: W.KeyBundle,
  expiresAt: t.string,
  backupCount: t.number,
  stagedCount: t.number,
})
export type OpenRotation = t.TypeOf<typeof State>
const Pending = t.type({ items: t.array(KeyItem), nextAfter: t.union([t.string, t.null]) })
const Staged = t.type({ staged: t.number })
const WrappedSnapshotKey = t.type({ wrappedKey: t.string })

const enc = encodeURIComponent
const at = (rotationId: string) => `/api/v1/key-rotations/${enc(rotationId)}`

/** A 404 as `null`; any other answer but `ok` thrown. */
const orNull = async <A>(res: Response, codec: t.Type<A, unknown>): Promise<A | null> => {
  if (res.status === 404) {
    await res.body?.cancel()
    return null
  }
  return expectJson(res, 200, codec)
}

export const rotationClient = (send: Transport['send']) => ({
  begin: async (expectedVersion: number, keyBundle: W.KeyBundle) =>
    expectJson(
      await send({
        method: 'POST',
        path: '/api/v1/key-rotations/staged',
        auth: true,
        json: { expectedVersion, keyBundle },
      }),
      201,
      Started,
    ),
  current: async (): Promise<OpenRotation | null> =>
    orNull(await send({ method: 'GET', path: '/api/v1/key-rotations/current', auth: true }), State),
  pending: async (rotationId: string, after: string | null, limit: number) => {
    const q = new URLSearchParams({ limit: String(limit), ...(after === null ? {} : { after }) })
    return expectJson(
      await send({ method: 'GET', path: `${at(rotationId)}/pending?${q.toString()}`, auth: true }),
      200,
      Pending,
    )
  },
  stage: async (rotationId: string, wrappedKeys: ReadonlyArray<{ backupId: string; wrappedKey: string }>) =>
    expectJson(
      await send({ method: 'PUT', path: `${at(rotationId)}/keys`, auth: true, json: { wrappedKeys } }),
      200,
      Staged,
    ),
  commit: async (rotationId: string, snapshotKey: string | undefined) =>
    expectJson(
      await send({
        method: 'POST',
        path: `${at(rotationId)}/commit`,
        auth: true,
        json: snapshotKey === undefined ? {} : { snapshotKey },
      }),
      200,
      W.KeyBundleVersion,
    ),
  abort: async (rotationId: string) => {
    const res = await send({ method: 'DELETE', path: at(rotationId), auth: true })
    if (res.status === 404) return void (await res.body?.cancel())
    return expectStatus(res, 204)
  },
  snapshotKey: async (): Promise<string | null> => {
    const found = await orNull(
      await send({ method: 'GET', path: '/api/v1/snapshot-key', auth: true }),
      WrappedSnapshotKey,
    )
    return found?.wrappedKey ?? null
  },
})

export type RotationClient = ReturnType<typeof rotationClient>
