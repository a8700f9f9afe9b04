/**
 * Valid requests, made the way a client makes them: accounts registered with the real OPAQUE client, devices with
 * real Ed25519 keys, uploads signed over the protocol-v1 signing bytes. Content is random bytes: the server only
 * ever sees ciphertext, which it cannot tell from random, so encrypting first would only spend the bench's CPU.
 */
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto'
import * as opaque from '@serenity-kit/opaque'
import * as O from 'fp-ts/Option'
import type { BackupId, Sha256Hex } from '../domain/ids'
import { uploadSigningBytes } from '../domain/upload-signing'

/** Cheap client-side stretching: it changes only the client's cost, never what the server does. */
export const keyStretching = { 'argon2id-custom': { iterations: 1, memory: 64, parallelism: 1 } } as const
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url')
const sha256Hex = (bytes: Uint8Array): Sha256Hex =>
  createHash('sha256').update(bytes).digest('hex') as Sha256Hex

export const call = async (
  base: string,
  method: string,
  path: string,
  options: Readonly<{
    token?: string
    json?: unknown
    headers?: Record<string, string>
    body?: Uint8Array
  }> = {},
): Promise<Response> =>
  fetch(base + path, {
    method,
    headers: {
      ...(options.token === undefined ? {} : { Authorization: `Bearer ${options.token}` }),
      ...(options.json === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...options.headers,
    },
    ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
    ...(options.body === undefined ? {} : { body: options.body }),
  })

const expectJson = async <T>(res: Response, status: number, what: string): Promise<T> => {
  const text = await res.text()
  if (res.status !== status) throw new Error(`${what}: HTTP ${res.status} ${text.slice(0, 200)}`)
  return JSON.parse(text) as T
}

export type BenchAccount = Readonly<{ username: string; password: string; accountId: string }>

export const registerAccount = async (base: string): Promise<BenchAccount> => {
  await opaque.ready
  const username = `bench-${randomUUID().slice(0, 12)}`
  const password = `pw-${randomUUID()}`
  const { clientRegistrationState, registrationRequest } = opaque.client.startRegistration({ password })
  const { registrationResponse } = await expectJson<{ registrationResponse: string }>(
    await call(base, 'POST', '/api/v1/accounts/registration/start', {
      json: { username, registrationRequest },
    }),
    200,
    'registration/start',
  )
  const { registrationRecord } = opaque.client.finishRegistration({
    password,
    registrationResponse,
    clientRegistrationState,
    keyStretching,
  })
  const recoveryProof = randomBytes(32)
  const json = {
    username,
    registrationRecord,
    keyBundle: { passwordWrappedUmk: b64(randomBytes(60)), recoveryWrappedUmk: b64(randomBytes(60)) },
    recoveryVerifier: b64(createHash('sha256').update(recoveryProof).digest()),
  }
  const { accountId } = await expectJson<{ accountId: string }>(
    await call(base, 'POST', '/api/v1/accounts/registration/finish', { json }),
    201,
    'registration/finish',
  )
  return { username, password, accountId }
}

/** The client half of a login start, and how to finish it once the server has answered. */
export type LoginStart = Readonly<{ body: string; finish: (loginResponse: string) => string }>

export const loginStart = (account: BenchAccount): LoginStart => {
  const { clientLoginState, startLoginRequest } = opaque.client.startLogin({ password: account.password })
  return {
    body: JSON.stringify({ username: account.username, startLoginRequest }),
    finish: (loginResponse) => {
      const finished = opaque.client.finishLogin({
        clientLoginState,
        loginResponse,
        password: account.password,
        keyStretching,
      })
      if (finished === undefined) throw new Error('the OPAQUE client refused the server response')
      return finished.finishLoginRequest
    },
  }
}

export const logIn = async (base: string, account: BenchAccount, deviceId?: string): Promise<string> => {
  await opaque.ready
  const start = loginStart(account)
  const started = await expectJson<{ loginId: string; loginResponse: string }>(
    await call(base, 'POST', '/api/v1/sessions/start', {
      body: Buffer.from(start.body),
      headers: { 'Content-Type': 'application/json' },
    }),
    200,
    'sessions/start',
  )
  const json = {
    loginId: started.loginId,
    finishLoginRequest: start.finish(started.loginResponse),
    ...(deviceId === undefined ? {} : { deviceId }),
  }
  const opened = await expectJson<{ accessToken: string }>(
    await call(base, 'POST', '/api/v1/sessions/finish', { json }),
    200,
    'sessions/finish',
  )
  return opened.accessToken
}

export type Device = Readonly<{ deviceId: string; privateKey: KeyObject }>

export const addDevice = async (base: string, token: string): Promise<Device> => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const jwk = publicKey.export({ format: 'jwk' })
  const { deviceId } = await expectJson<{ deviceId: string }>(
    await call(base, 'POST', '/api/v1/devices', {
      token,
      json: { publicKey: jwk.x, encryptedName: b64(randomBytes(40)) },
    }),
    201,
    'devices',
  )
  return { deviceId, privateKey }
}

/** One signed upload: the path, its headers and the body, valid exactly once (the backup id is fresh). */
export type SignedUpload = Readonly<{
  backupId: string
  path: string
  headers: Record<string, string>
  body: Buffer
}>

export const signedUpload = (device: Device, content: Buffer): SignedUpload => {
  const backupId = randomUUID() as BackupId
  const encryptedMetadata = randomBytes(120)
  const contentSha256 = sha256Hex(content)
  const signed = uploadSigningBytes({
    backupId,
    contentSha256,
    sizeBytes: content.length,
    metadataSha256: sha256Hex(encryptedMetadata),
    parentId: O.none,
  })
  return {
    backupId,
    path: `/api/v1/backups/${backupId}/content`,
    headers: {
      'Content-Type': 'application/octet-stream',
      'ZKEB-Device-Id': device.deviceId,
      'ZKEB-Content-SHA256': contentSha256,
      'ZKEB-Signature': b64(sign(null, signed, device.privateKey)),
      'ZKEB-Wrapped-Key': b64(randomBytes(60)),
      'ZKEB-Metadata': b64(encryptedMetadata),
    },
    body: content,
  }
}

export const upload = async (base: string, token: string, u: SignedUpload): Promise<void> => {
  await expectJson(
    await call(base, 'PUT', u.path, { token, headers: u.headers, body: u.body }),
    201,
    'upload',
  )
}
