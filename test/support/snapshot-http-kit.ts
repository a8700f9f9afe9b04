/**
 * Helpers for the snapshot HTTP tests: a user with a session and a registered device (its Ed25519 key kept
 * here), calls as that user, hand-built packs and create bodies signed by the device, and every id and secret
 * the tests sent, so the zero-knowledge check can look for them in the logs.
 */
import { randomBytes, randomUUID, sign as ed25519Sign } from 'node:crypto'
import { expect } from 'chai'
import { type ObjectId } from '../../client/snapshot/object'
import { buildPack, type Pack } from '../../client/snapshot/pack'
import {
  encodeCreateSnapshotBody,
  type NewSnapshot,
  snapshotSigningBytes,
  type SnapshotId,
  sortedRefs,
} from '../../client/snapshot/snapshot-record'
import type { SnapshotStore } from '../../client/snapshot/store'
import { createTransport } from '../../client/sdk/http-transport'
import { snapshotStoreOver } from '../../client/snapshot/http-store'
import {
  aUserWithDevice,
  type CallOptions,
  type HttpCaller,
  logInOverHttp,
} from '../adapters/http/http-test-kit'
import type { DeviceKey } from './test-client'

/** What was sent: ids and secret-ish values a log line must never carry. */
export const sent = new Set<string>()
const remember = (...values: ReadonlyArray<string>) => values.forEach((v) => sent.add(v))

export type SnapshotUser = Readonly<{
  accountId: string
  deviceId: string
  key: DeviceKey
  /** The session's access token, for raw requests. */
  token: string
  call: (method: string, path: string, options?: Omit<CallOptions, 'token'>) => Promise<Response>
  store: SnapshotStore
  signer: Readonly<{ deviceId: string; sign: (bytes: Uint8Array) => Promise<Uint8Array> }>
  /** A new session (after the clock moved past the access token's lifetime). */
  relogin: () => Promise<SnapshotUser>
}>

/** The SDK's SnapshotStore, its requests sent through the test caller (which adds the bearer token). */
const sdkStoreOver = (call: SnapshotUser['call']): SnapshotStore =>
  snapshotStoreOver(
    createTransport({
      baseUrl: '',
      fetch: (path, init) =>
        call(init.method ?? 'GET', path, {
          headers: init.headers as Record<string, string>,
          ...(init.body === undefined || init.body === null ? {} : { body: init.body }),
        }),
    }).send,
  )

const userOver = (
  server: HttpCaller,
  who: Awaited<ReturnType<typeof aUserWithDevice>>,
  token: string,
): SnapshotUser => {
  const call: SnapshotUser['call'] = (method, path, options = {}) =>
    server.call(method, path, { ...options, token })
  const deviceId = who.device.deviceId
  const sign = (bytes: Uint8Array) =>
    Promise.resolve(new Uint8Array(ed25519Sign(null, bytes, who.device.key.privateKey)))
  return {
    accountId: who.account.accountId,
    deviceId,
    key: who.device.key,
    token,
    call,
    store: sdkStoreOver(call),
    signer: { deviceId, sign },
    relogin: async () => userOver(server, who, (await logInOverHttp(server, who.account)).accessToken),
  }
}

export const aSnapshotUser = async (server: HttpCaller): Promise<SnapshotUser> => {
  const who = await aUserWithDevice(server)
  return userOver(server, who, who.token)
}

/** Random bytes standing for sealed objects: the server never opens them. */
export const aPackOf = (lengths: ReadonlyArray<number>, ids?: ReadonlyArray<ObjectId>): Pack => {
  const pack = buildPack(
    lengths.map((length, i) => ({
      id: ids?.[i] ?? (randomBytes(32).toString('hex') as ObjectId),
      bytes: new Uint8Array(randomBytes(length)),
    })),
  )
  remember(pack.packId, ...pack.entries.map((e) => e.id))
  return pack
}

export const putPack = (user: SnapshotUser, pack: Pick<Pack, 'packId' | 'bytes' | 'sha256'>) =>
  user.call('PUT', `/api/v1/snapshot-packs/${pack.packId}`, {
    headers: { 'Content-Type': 'application/octet-stream', 'ZKEB-Content-SHA256': pack.sha256 },
    body: pack.bytes,
  })

/** A snapshot of `refs`, signed by the user's device (or the key given). */
export const aSnapshot = (
  user: SnapshotUser,
  refs: ReadonlyArray<string>,
  overrides: Partial<NewSnapshot> = {},
  key: DeviceKey = user.key,
): NewSnapshot => {
  const base = {
    snapshotId: randomUUID() as SnapshotId,
    seriesId: randomBytes(32).toString('hex'),
    deviceId: user.deviceId,
    encryptedMetadata: new Uint8Array(randomBytes(512)),
    refs: sortedRefs(refs as ReadonlyArray<ObjectId>),
    ...overrides,
  }
  const signature = new Uint8Array(ed25519Sign(null, snapshotSigningBytes(base), key.privateKey))
  const snapshot = {
    ...base,
    signature,
    ...(overrides.signature === undefined ? {} : { signature: overrides.signature }),
  }
  remember(
    snapshot.snapshotId,
    snapshot.seriesId,
    Buffer.from(snapshot.encryptedMetadata).toString('base64url'),
    Buffer.from(snapshot.signature).toString('base64url'),
  )
  return snapshot
}

export const postSnapshot = (user: SnapshotUser, body: Uint8Array | NewSnapshot) =>
  user.call('POST', '/api/v1/snapshots', {
    headers: { 'Content-Type': 'application/vnd.zkeb.snapshot' },
    body: body instanceof Uint8Array ? body : encodeCreateSnapshotBody(body),
  })

/** The ids of `has` as the server answers them. */
export const present = async (user: SnapshotUser, ids: ReadonlyArray<string>): Promise<string[]> => {
  const res = await user.call('POST', '/api/v1/snapshot-objects/has', { json: { ids } })
  expect(res.status).to.equal(200)
  return ((await res.json()) as { present: string[] }).present
}

export const statsOf = async (user: SnapshotUser) => {
  const res = await user.call('GET', '/api/v1/snapshot-stats')
  expect(res.status).to.equal(200)
  return (await res.json()) as {
    storedBytes: number
    objects: number
    packs: number
    packBytes: number
    snapshots: number
  }
}
