/**
 * A tiny but real protocol client for tests: OPAQUE registration and login with the library's client side,
 * an Ed25519 device key, upload signatures over the domain's signing bytes, and random key bundles.
 * SECURITY: test-only; key stretching is cheapened so suites stay fast.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, randomUUID, sign } from 'node:crypto'
import * as opaque from '@serenity-kit/opaque'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import type { TaskEither } from 'fp-ts/TaskEither'
import type { Caller } from '../../application/context'
import type { FinishLoginOutput } from '../../application/sessions'
import type { OpaqueMessage } from '../../application/shared'
import type { UploadBackupInput } from '../../application/backups'
import type { UseCases } from '../../application/zkeb'
import type { KeyBundle } from '../../domain/account'
import type { EncryptedMetadata, WrappedKey } from '../../domain/backup'
import type {
  AccountId,
  BackupId,
  DeviceId,
  Ed25519PublicKey,
  Ed25519Signature,
  Sha256Hex,
  Username,
} from '../../domain/ids'
import { uploadSigningBytes } from '../../domain/upload-signing'

/** Argon2id at its cheapest: the server cannot tell, and tests stay fast. */
const keyStretching = { 'argon2id-custom': { iterations: 1, memory: 64, parallelism: 1 } } as const

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url')
const sha256Hex = (bytes: Uint8Array): Sha256Hex =>
  createHash('sha256').update(bytes).digest('hex') as Sha256Hex

/** Runs a use case and returns its Right; a Left fails the test with the error tag only. */
export const ok = async <E extends { readonly _tag: string }, A>(task: TaskEither<E, A>): Promise<A> => {
  const result = await task()
  if (E.isLeft(result))
    throw new Error(`expected Right, got Left(${result.left._tag})`, { cause: result.left })
  return result.right
}

/** Runs a use case and returns its Left; a Right fails the test. */
export const fails = async <E, A>(task: TaskEither<E, A>): Promise<E> => {
  const result = await task()
  if (E.isRight(result)) throw new Error('expected Left, got Right')
  return result.left
}

export const aUsername = (): Username => `user-${randomUUID().slice(0, 8)}` as Username
export const aRandomKeyBundle = (): KeyBundle => ({
  passwordWrappedUmk: b64(randomBytes(60)) as KeyBundle['passwordWrappedUmk'],
  recoveryWrappedUmk: b64(randomBytes(60)) as KeyBundle['recoveryWrappedUmk'],
})

/** What the client knows after registering. */
export type Registered = Readonly<{
  accountId: AccountId
  username: Username
  password: string
  keyBundle: KeyBundle
  /** HKDF(recoveryKey, "zkeb/v1/recovery-auth"), here simply random bytes. */
  recoveryProof: string
}>

/** OPAQUE registration up to the record (used by sign-up, password change and recovery). */
export const opaqueRecord = async (
  startRegistration: (registrationRequest: string) => Promise<string>,
  password: string,
): Promise<string> => {
  await opaque.ready
  const { clientRegistrationState, registrationRequest } = opaque.client.startRegistration({ password })
  const registrationResponse = await startRegistration(registrationRequest)
  return opaque.client.finishRegistration({
    password,
    registrationResponse,
    clientRegistrationState,
    keyStretching,
  }).registrationRecord
}

export const register = async (
  useCases: UseCases,
  username: Username = aUsername(),
  password = `pw-${randomUUID()}`,
): Promise<Registered> => {
  const ctx = { requestId: 'test-register' }
  const registrationRecord = await opaqueRecord(
    async (registrationRequest) =>
      (
        await ok(
          useCases.startRegistration(
            { username, registrationRequest: registrationRequest as OpaqueMessage },
            ctx,
          ),
        )
      ).registrationResponse,
    password,
  )
  const recoveryProof = b64(randomBytes(32))
  const keyBundle = aRandomKeyBundle()
  const recoveryVerifier = b64(createHash('sha256').update(Buffer.from(recoveryProof, 'base64url')).digest())
  const { accountId } = await ok(
    useCases.finishRegistration(
      { username, registrationRecord, keyBundle, recoveryVerifier } as Parameters<
        UseCases['finishRegistration']
      >[0],
      ctx,
    ),
  )
  return { accountId, username, password, keyBundle, recoveryProof }
}

/** Step 1 of a login and the client state step 2 needs. */
export const startLogin = async (useCases: UseCases, username: Username, password: string) => {
  await opaque.ready
  const { clientLoginState, startLoginRequest } = opaque.client.startLogin({ password })
  const { loginId, loginResponse } = await ok(
    useCases.startLogin(
      { username, startLoginRequest: startLoginRequest as OpaqueMessage },
      { requestId: 'test-login' },
    ),
  )
  const finished = opaque.client.finishLogin({ clientLoginState, loginResponse, password, keyStretching })
  return { loginId, loginResponse, finishLoginRequest: finished?.finishLoginRequest }
}

/** A finish message no password produced: what a client with the wrong password is left to send. */
export const aBogusFinishLoginRequest = (): string => b64(randomBytes(64))

export const logIn = async (
  useCases: UseCases,
  who: Pick<Registered, 'username' | 'password'>,
  deviceId?: DeviceId,
): Promise<FinishLoginOutput> => {
  const { loginId, finishLoginRequest } = await startLogin(useCases, who.username, who.password)
  if (finishLoginRequest === undefined) throw new Error('the client refused the server response')
  return ok(
    useCases.finishLogin(
      {
        loginId,
        finishLoginRequest: finishLoginRequest as OpaqueMessage,
        ...(deviceId === undefined ? {} : { deviceId }),
      },
      { requestId: 'test-login' },
    ),
  )
}

/** Logs in and authenticates, giving the Caller a driving adapter would build. */
export const callerFor = async (
  useCases: UseCases,
  who: Registered,
  deviceId?: DeviceId,
): Promise<Caller> => {
  const { accessToken } = await logIn(useCases, who, deviceId)
  return ok(useCases.authenticate(accessToken, { requestId: 'test-call' }))
}

/** A device's Ed25519 key pair; the private key never leaves the test. */
export type DeviceKey = Readonly<{ publicKey: Ed25519PublicKey; privateKey: KeyObject }>

export const aDeviceKey = (): DeviceKey => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const jwk = publicKey.export({ format: 'jwk' })
  return { publicKey: jwk.x as Ed25519PublicKey, privateKey }
}

export const addDevice = async (useCases: UseCases, caller: Caller, key: DeviceKey = aDeviceKey()) => {
  const device = await ok(
    useCases.addDevice({ publicKey: key.publicKey, encryptedName: b64(randomBytes(40)) as never }, caller),
  )
  return { device, key }
}

export type AnUpload = Readonly<{ input: UploadBackupInput; content: Uint8Array }>

/** A signed upload of `content` (random by default) by the device. */
export const anUpload = (
  deviceId: DeviceId,
  key: DeviceKey,
  options: Readonly<{ content?: Uint8Array; backupId?: BackupId; parentId?: BackupId }> = {},
): AnUpload => {
  const content = options.content ?? randomBytes(3000)
  const backupId = options.backupId ?? (randomUUID() as BackupId)
  const encryptedMetadata = b64(randomBytes(80)) as EncryptedMetadata
  const contentSha256 = sha256Hex(content)
  const signed = uploadSigningBytes({
    backupId,
    contentSha256,
    sizeBytes: content.length,
    metadataSha256: sha256Hex(Buffer.from(encryptedMetadata, 'base64url')),
    parentId: O.fromNullable(options.parentId),
  })
  const input: UploadBackupInput = {
    backupId,
    deviceId,
    contentSha256,
    signature: b64(sign(null, signed, key.privateKey)) as Ed25519Signature,
    wrappedKey: b64(randomBytes(60)) as WrappedKey,
    encryptedMetadata,
    contentLength: content.length as UploadBackupInput['contentLength'],
    ...(options.parentId === undefined ? {} : { parentId: options.parentId }),
  }
  return { input, content }
}

/** Yields `bytes` in pieces, the way a request body arrives (a turn of the event loop between pieces). */
export async function* inPieces(bytes: Uint8Array, size = 1000): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) {
    await new Promise((resolve) => setImmediate(resolve))
    yield bytes.subarray(i, i + size)
  }
}
