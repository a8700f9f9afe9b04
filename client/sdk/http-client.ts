/**
 * A typed call for every api-v1 endpoint (see /api/openapi.json for the decisions api-v1 leaves open).
 * Each call resolves to the decoded answer or throws ZkebError (ApiError, BadResponse, NetworkError);
 * the flows catch it and resolve to Either at the SDK's public surface.
 */
import {
  createTransport,
  expectJson,
  expectStatus,
  apiErrorOf,
  type Transport,
  type TransportOptions,
} from './http-transport'
import { badResponse, fail } from './errors'
import { fromReadableStream } from './streams'
import * as W from './wire'

export type UploadHeaders = Readonly<{
  deviceId: string
  contentSha256: string
  signature: string
  wrappedKey: string
  encryptedMetadata: string
  parentId?: string
}>

export type BackupQuery = Readonly<{ limit?: number; cursor?: string; deviceId?: string; trash?: boolean }>

export type Download = Readonly<{
  body: AsyncIterable<Uint8Array>
  /** Declared ciphertext length (Content-Length), when the server sent one. */
  length: number | undefined
  etag: string | null
}>

const post = (path: string, json: unknown, auth = false) => ({ method: 'POST' as const, path, json, auth })
const get = (path: string) => ({ method: 'GET' as const, path, auth: true })
const del = (path: string) => ({ method: 'DELETE' as const, path, auth: true })
const enc = encodeURIComponent

const query = (q: Readonly<Record<string, string | number | boolean | undefined>>): string => {
  const entries = Object.entries(q).filter(
    (e): e is [string, string | number | boolean] => e[1] !== undefined,
  )
  return entries.length === 0
    ? ''
    : '?' + new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()
}

const tus = { 'Tus-Resumable': '1.0.0' }
// Every value is ASCII (ids, hex, base64url), which btoa encodes as tus wants.
const b64std = (s: string): string => btoa(s)

/** The tus calls of a resumable upload (server: /api/v1/uploads; see its OpenAPI decision). */
const tusClient = (send: Transport['send']) => ({
  /** Creates the upload; returns its path (Location). */
  createUpload: async (length: number, h: UploadHeaders & { backupId: string }): Promise<string> => {
    const metadata: Record<string, string> = {
      backupId: h.backupId,
      deviceId: h.deviceId,
      sha256: h.contentSha256,
      signature: h.signature,
      wrappedKey: h.wrappedKey,
      metadata: h.encryptedMetadata,
      ...(h.parentId === undefined ? {} : { parentId: h.parentId }),
    }
    const res = await send({
      method: 'POST',
      path: '/api/v1/uploads',
      auth: true,
      headers: {
        ...tus,
        'Upload-Length': String(length),
        'Upload-Metadata': Object.entries(metadata)
          .map(([k, v]) => `${k} ${b64std(v)}`)
          .join(','),
      },
    })
    if (res.status !== 201) return fail(await apiErrorOf(res))
    const location = res.headers.get('Location') ?? fail(badResponse(201, 'no Location'))
    return new URL(location, 'http://x').pathname
  },
  /** The stored offset, or undefined when the upload is gone (expired, terminated, finished). */
  uploadOffset: async (path: string): Promise<number | undefined> => {
    const res = await send({ method: 'HEAD', path, auth: true, headers: tus })
    if (res.status === 404 || res.status === 410) return undefined
    if (res.status !== 200) return fail(badResponse(res.status, 'HEAD of the upload failed'))
    return Number(res.headers.get('Upload-Offset') ?? fail(badResponse(200, 'no Upload-Offset')))
  },
  /** Appends one part from `offset`; returns the new offset. */
  patchUpload: async (
    path: string,
    offset: number,
    body: () => ReadableStream<Uint8Array>,
  ): Promise<number> => {
    const res = await send({
      method: 'PATCH',
      path,
      auth: true,
      headers: { ...tus, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(offset) },
      body,
    })
    if (res.status !== 204) return fail(await apiErrorOf(res))
    return Number(res.headers.get('Upload-Offset') ?? fail(badResponse(204, 'no Upload-Offset')))
  },
})

/** Builds the client; `transport` exposes the token holder (set after login, read to persist). */
export const createHttpClient = (options: TransportOptions) => {
  const transport: Transport = createTransport(options)
  const { send } = transport
  return {
    transport,
    health: async () => expectJson(await send({ method: 'GET', path: '/api/health' }), 200, W.Health),
    startRegistration: async (username: string, registrationRequest: string) =>
      expectJson(
        await send(post('/api/v1/accounts/registration/start', { username, registrationRequest })),
        200,
        W.RegistrationResponse,
      ),
    finishRegistration: async (body: {
      username: string
      registrationRecord: string
      keyBundle: W.KeyBundle
      recoveryVerifier: string
    }) => expectJson(await send(post('/api/v1/accounts/registration/finish', body)), 201, W.AccountCreated),
    startLogin: async (username: string, startLoginRequest: string) =>
      expectJson(
        await send(post('/api/v1/sessions/start', { username, startLoginRequest })),
        200,
        W.LoginStarted,
      ),
    finishLogin: async (body: { loginId: string; finishLoginRequest: string; deviceId?: string }) =>
      expectJson(await send(post('/api/v1/sessions/finish', body)), 200, W.SessionOpened),
    logout: async () => expectStatus(await send(del('/api/v1/sessions/current')), 204),
    getAccount: async () => expectJson(await send(get('/api/v1/account')), 200, W.Account),
    updateKeyBundle: async (expectedVersion: number, keyBundle: W.KeyBundle) =>
      expectJson(
        await send({
          method: 'PUT',
          path: '/api/v1/account/key-bundle',
          json: { expectedVersion, keyBundle },
          auth: true,
        }),
        200,
        W.KeyBundleVersion,
      ),
    startPasswordChange: async (registrationRequest: string) =>
      expectJson(
        await send(post('/api/v1/account/password/start', { registrationRequest }, true)),
        200,
        W.RegistrationResponse,
      ),
    finishPasswordChange: async (body: {
      expectedVersion: number
      registrationRecord: string
      passwordWrappedUmk: string
    }) =>
      expectJson(await send(post('/api/v1/account/password/finish', body, true)), 200, W.KeyBundleVersion),
    startRecovery: async (username: string, recoveryProof: string) =>
      expectJson(
        await send(post('/api/v1/account/recovery/start', { username, recoveryProof })),
        200,
        W.RecoveryStarted,
      ),
    finishRecovery: async (body: {
      recoveryToken: string
      registrationRecord: string
      passwordWrappedUmk: string
    }) => expectJson(await send(post('/api/v1/account/recovery/finish', body)), 200, W.KeyBundleVersion),
    deleteAccount: async () => expectJson(await send(del('/api/v1/account')), 202, W.AccountErased),
    addDevice: async (publicKey: string, encryptedName: string) =>
      expectJson(
        await send(post('/api/v1/devices', { publicKey, encryptedName }, true)),
        201,
        W.DeviceCreated,
      ),
    listDevices: async () => expectJson(await send(get('/api/v1/devices')), 200, W.DeviceList),
    revokeDevice: async (deviceId: string) =>
      expectStatus(await send(del(`/api/v1/devices/${enc(deviceId)}`)), 204),
    createResticToken: async (appendOnly: boolean, repo?: string) =>
      expectJson(
        await send(
          post('/api/v1/restic-tokens', { appendOnly, ...(repo === undefined ? {} : { repo }) }, true),
        ),
        201,
        W.ResticTokenCreated,
      ),
    listResticTokens: async () =>
      expectJson(await send(get('/api/v1/restic-tokens')), 200, W.ResticTokenList),
    revokeResticToken: async (tokenId: string) =>
      expectStatus(await send(del(`/api/v1/restic-tokens/${enc(tokenId)}`)), 204),
    uploadBackup: async (backupId: string, h: UploadHeaders, body: () => ReadableStream<Uint8Array>) => {
      const headers: Record<string, string> = {
        'Content-Type': 'application/octet-stream',
        'ZKEB-Device-Id': h.deviceId,
        'ZKEB-Content-SHA256': h.contentSha256,
        'ZKEB-Signature': h.signature,
        'ZKEB-Wrapped-Key': h.wrappedKey,
        'ZKEB-Metadata': h.encryptedMetadata,
        ...(h.parentId === undefined ? {} : { 'ZKEB-Parent-Id': h.parentId }),
      }
      const res = await send({
        method: 'PUT',
        path: `/api/v1/backups/${enc(backupId)}/content`,
        headers,
        body,
        auth: true,
      })
      return expectJson(res, res.status === 200 ? 200 : 201, W.BackupSummary)
    },
    ...tusClient(send),
    listBackups: async (q: BackupQuery = {}) =>
      expectJson(await send(get(`/api/v1/backups${query(q)}`)), 200, W.BackupPage),
    getBackup: async (backupId: string) =>
      expectJson(await send(get(`/api/v1/backups/${enc(backupId)}`)), 200, W.BackupRecord),
    downloadBackup: async (backupId: string): Promise<Download> => {
      const res = await send({
        ...get(`/api/v1/backups/${enc(backupId)}/content`),
        headers: { Accept: 'application/octet-stream' },
      })
      if (res.status !== 200) return fail(await apiErrorOf(res))
      const declared = res.headers.get('Content-Length')
      return {
        body: res.body === null ? fromReadableStream(new Blob([]).stream()) : fromReadableStream(res.body),
        length: declared === null ? undefined : Number(declared),
        etag: res.headers.get('ETag'),
      }
    },
    trashBackup: async (backupId: string) =>
      expectStatus(await send(del(`/api/v1/backups/${enc(backupId)}`)), 204),
    restoreBackup: async (backupId: string) =>
      expectJson(
        await send(post(`/api/v1/backups/${enc(backupId)}/restore`, undefined, true)),
        200,
        W.BackupRecord,
      ),
    rotateKeys: async (body: {
      expectedVersion: number
      keyBundle: W.KeyBundle
      wrappedKeys: ReadonlyArray<{ backupId: string; wrappedKey: string }>
      snapshotKey?: string
    }) => expectJson(await send(post('/api/v1/key-rotations', body, true)), 200, W.KeyBundleVersion),
    listAudit: async (q: { limit?: number; cursor?: string } = {}) =>
      expectJson(await send(get(`/api/v1/audit${query(q)}`)), 200, W.AuditPage),
  }
}

export type HttpClient = ReturnType<typeof createHttpClient>
