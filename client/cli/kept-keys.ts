/**
 * Knows the two sealed blobs of the CLI state (see state.ts for why they are safe and what they cost):
 * `unlock` (UMK + export key under Argon2id(password, salt)) and `session` (tokens under HKDF(UMK)).
 * Each binds "zkeb/cli/v2/<field>|accountId|deviceId" as associated data, so a blob swapped between fields,
 * files, accounts or devices fails to open. Opening yields Left('unopened') when AES-GCM refuses (for `unlock`
 * that is the wrong password) and Left('corrupt') when the stored form does not parse.
 * SECURITY: nothing here logs; secrets exist only in memory and in sealed form.
 */
import { hkdfSync } from 'node:crypto'
import * as E from 'fp-ts/Either'
import * as t from 'io-ts'
import { decodeBase64Url, encodeBase64Url, isBase64Url } from '../../domain/base64url'
import {
  asKey,
  DEFAULT_KEY_STRETCHING,
  fromUtf8,
  open,
  seal,
  secureRandomBytes,
  utf8,
  type KeyStretching,
  type Umk,
} from '../crypto'
import { argon2ParamsOf, isSaneArgon2, stretchPassword, type Argon2Params } from './password-stretching'
import type { Tokens } from '../sdk'
import type { Unlock } from './state'

export type Ids = Readonly<{ accountId: string; deviceId: string }>
export type Unsealed = 'corrupt' | 'unopened'

/** What `unlock` seals: the UMK, the export key (key rotation re-wraps the UMK with it), the bundle version. */
export type UnlockSecrets = Readonly<{ umk: Umk; exportKey: Uint8Array; keyBundleVersion: number }>
/** What `session` seals: the api-v1 tokens and when the access token expires (ms since the epoch). */
export type KeptTokens = Tokens & Readonly<{ expiresAt: number }>
/** The key derived from the password, with the salt and parameters that made it. */
export type LocalKey = Readonly<{ params: Argon2Params; salt: Uint8Array; key: Uint8Array }>

const aad = (field: 'unlock' | 'session', ids: Ids): Uint8Array =>
  utf8(`zkeb/cli/v2/${field}|${ids.accountId}|${ids.deviceId}`)

/** A key of its own for the tokens, so the UMK only ever feeds a KDF. */
const sessionKey = (umk: Umk): Uint8Array =>
  new Uint8Array(hkdfSync('sha256', umk, new Uint8Array(0), 'zkeb/cli/v2/session-key', 32))

const b64 = t.refinement(t.string, isBase64Url, 'Base64Url')
const UnlockPlain = t.strict({ umk: b64, exportKey: b64, keyBundleVersion: t.number })
const SessionPlain = t.strict({
  accessToken: t.string,
  refreshToken: t.string,
  expiresIn: t.number,
  expiresAt: t.number,
})

/** JSON of an opened blob, decoded with `codec`; an authentic blob of another shape is 'corrupt'. */
const decodePlain = <A>(codec: t.Type<A, unknown>, bytes: Uint8Array): E.Either<Unsealed, A> =>
  E.flatMap((json: unknown) => E.mapLeft((): Unsealed => 'corrupt')(codec.decode(json)))(
    E.tryCatch(
      () => JSON.parse(fromUtf8(bytes)) as unknown,
      (): Unsealed => 'corrupt',
    ),
  )

/** A fresh local key for `password`: new random salt, the parameters of `stretching` (OPAQUE's). */
export const newLocalKey = async (
  password: string,
  stretching: KeyStretching = DEFAULT_KEY_STRETCHING,
): Promise<LocalKey> => {
  const params = argon2ParamsOf(stretching)
  const salt = secureRandomBytes(16)
  return { params, salt, key: await stretchPassword(password, salt, params) }
}

/** The local key `unlock` was sealed under, if `password` is right; 'corrupt' for unusable parameters. */
export const localKeyFor = async (
  password: string,
  unlock: Unlock,
): Promise<E.Either<Unsealed, LocalKey>> => {
  const params = {
    memoryKiB: unlock.memoryKiB,
    iterations: unlock.iterations,
    parallelism: unlock.parallelism,
  }
  if (!isSaneArgon2(params) || !isBase64Url(unlock.salt)) return E.left('corrupt')
  const salt = decodeBase64Url(unlock.salt)
  if (salt.length < 16) return E.left('corrupt')
  return E.right({ params, salt, key: await stretchPassword(password, salt, params) })
}

export const sealUnlock = async (local: LocalKey, ids: Ids, secrets: UnlockSecrets): Promise<Unlock> => {
  const plain = {
    umk: encodeBase64Url(secrets.umk),
    exportKey: encodeBase64Url(secrets.exportKey),
    keyBundleVersion: secrets.keyBundleVersion,
  }
  const sealed = await seal(local.key, utf8(JSON.stringify(plain)), aad('unlock', ids))
  return {
    kdf: 'argon2id',
    ...local.params,
    salt: encodeBase64Url(local.salt),
    sealed: encodeBase64Url(sealed),
  }
}

/** The UMK and export key; Left('unopened') for a wrong password (or a blob moved or altered). */
export const openUnlock = async (
  local: LocalKey,
  ids: Ids,
  unlock: Unlock,
): Promise<E.Either<Unsealed, UnlockSecrets>> => {
  if (!isBase64Url(unlock.sealed)) return E.left('corrupt')
  const opened = await open(local.key, decodeBase64Url(unlock.sealed), aad('unlock', ids), 'local-unlock')
  if (E.isLeft(opened)) return E.left('unopened')
  return E.flatMap((p: t.TypeOf<typeof UnlockPlain>): E.Either<Unsealed, UnlockSecrets> => {
    const umk = decodeBase64Url(p.umk)
    return umk.length !== 32
      ? E.left('corrupt')
      : E.right({
          umk: asKey<'Umk'>(umk),
          exportKey: decodeBase64Url(p.exportKey),
          keyBundleVersion: p.keyBundleVersion,
        })
  })(decodePlain(UnlockPlain, opened.right))
}

export const sealSession = async (umk: Umk, ids: Ids, tokens: KeptTokens): Promise<string> => {
  const plain = {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresIn: tokens.expiresIn,
    expiresAt: tokens.expiresAt,
  }
  return encodeBase64Url(await seal(sessionKey(umk), utf8(JSON.stringify(plain)), aad('session', ids)))
}

/** The kept tokens; any failure is Left: the UMK opened, so a blob that does not is corrupt or swapped. */
export const openSession = async (
  umk: Umk,
  ids: Ids,
  sealed: string,
): Promise<E.Either<Unsealed, KeptTokens>> => {
  if (!isBase64Url(sealed)) return E.left('corrupt')
  const opened = await open(sessionKey(umk), decodeBase64Url(sealed), aad('session', ids), 'local-session')
  return E.isLeft(opened) ? E.left('unopened') : decodePlain(SessionPlain, opened.right)
}
