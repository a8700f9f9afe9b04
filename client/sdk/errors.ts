/**
 * The SDK's failures: one closed tagged union, so a CLI or an app can map each to a message and an exit code.
 * SECURITY: errors carry codes, statuses, request ids and field paths, never keys, tokens or plaintext.
 */
import * as E from 'fp-ts/Either'
import type { StreamError } from '../crypto'

/** The server answered with an api-v1 error body (`{"error": {code, message, retryable, requestId}}`). */
export type ApiError = Readonly<{
  _tag: 'ApiError'
  status: number
  code: string
  message: string
  retryable: boolean
  requestId: string
  details?: Readonly<Record<string, unknown>>
}>
/** The request did not reach the server or the connection broke (after the retries allowed). */
export type NetworkError = Readonly<{ _tag: 'NetworkError'; message: string }>
/** The server answered something that is not api-v1: not JSON, the wrong shape, a status it never sends. */
export type BadResponse = Readonly<{ _tag: 'BadResponse'; status: number; reason: string }>
/** OPAQUE refused: wrong username or password (the two are indistinguishable on purpose). */
export type WrongPassword = Readonly<{ _tag: 'WrongPassword' }>
/** A recovery key that does not parse, has a typo, or does not belong to this account. */
export type BadRecoveryKey = Readonly<{ _tag: 'BadRecoveryKey'; reason: 'format' | 'checksum' | 'mismatch' }>
/** Key material that does not open: `what` names it (umk, dek, metadata, device-key, device-name). */
export type KeysUnreadable = Readonly<{ _tag: 'KeysUnreadable'; what: string }>
/** Downloaded content that is not exactly what was uploaded (cut, extended, flipped, another backup's). */
export type ContentCorrupt = Readonly<{ _tag: 'ContentCorrupt'; reason: string }>
/**
 * A backup record whose upload signature does not verify against the key of the device it names (`mismatch`),
 * or that names a device the account does not have (`unknown-device`): the record was altered after upload.
 */
export type BadSignature = Readonly<{ _tag: 'BadSignature'; reason: 'mismatch' | 'unknown-device' }>
/** Metadata that cannot be encrypted within the server's 8 KiB (a very long name or many tags). */
export type MetadataTooLarge = Readonly<{ _tag: 'MetadataTooLarge' }>
/** The caller's input was unusable (a malformed id, a name too long). */
export type InvalidArgument = Readonly<{ _tag: 'InvalidArgument'; what: string }>

export type SdkError =
  | ApiError
  | NetworkError
  | BadResponse
  | WrongPassword
  | BadRecoveryKey
  | KeysUnreadable
  | ContentCorrupt
  | BadSignature
  | MetadataTooLarge
  | InvalidArgument

export const networkError = (message: string): NetworkError => ({ _tag: 'NetworkError', message })
export const badResponse = (status: number, reason: string): BadResponse => ({
  _tag: 'BadResponse',
  status,
  reason,
})
export const wrongPassword: WrongPassword = { _tag: 'WrongPassword' }
export const badRecoveryKey = (reason: BadRecoveryKey['reason']): BadRecoveryKey => ({
  _tag: 'BadRecoveryKey',
  reason,
})
export const keysUnreadable = (what: string): KeysUnreadable => ({ _tag: 'KeysUnreadable', what })
export const contentCorrupt = (reason: string): ContentCorrupt => ({ _tag: 'ContentCorrupt', reason })
export const contentCorruptFrom = (e: StreamError): ContentCorrupt => contentCorrupt(e._tag)
export const badSignature = (reason: BadSignature['reason']): BadSignature => ({
  _tag: 'BadSignature',
  reason,
})
export const metadataTooLarge: MetadataTooLarge = { _tag: 'MetadataTooLarge' }
export const invalidArgument = (what: string): InvalidArgument => ({ _tag: 'InvalidArgument', what })

/**
 * Carries an SdkError through code that can only throw: async iterables (downloads) and the inside of a
 * flow. Public SDK functions catch it and resolve to Left; a download iterable throws it to its reader.
 */
export class ZkebError extends Error {
  constructor(readonly error: SdkError) {
    super(describeError(error))
    this.name = 'ZkebError'
  }
}

/** Throws the error inside a ZkebError (for flows written in direct style). */
export const fail = (error: SdkError): never => {
  throw new ZkebError(error)
}

export const isZkebError = (e: unknown): e is ZkebError => e instanceof ZkebError

/** A one-line English description, safe to show and log (no values, only codes and names). */
export const describeError = (e: SdkError): string => {
  switch (e._tag) {
    case 'ApiError':
      return `server refused (${e.status} ${e.code}): ${e.message} [request ${e.requestId}]`
    case 'NetworkError':
      return `cannot reach the server: ${e.message}`
    case 'BadResponse':
      return `the server sent an invalid response (HTTP ${e.status}: ${e.reason})`
    case 'WrongPassword':
      return 'wrong username or password'
    case 'BadRecoveryKey':
      return e.reason === 'mismatch'
        ? 'that recovery key does not belong to this account'
        : `the recovery key is not valid (${e.reason}); check for typos`
    case 'KeysUnreadable':
      return `cannot open the ${e.what} with these keys`
    case 'ContentCorrupt':
      return `the downloaded content is corrupt or incomplete (${e.reason})`
    case 'BadSignature':
      return e.reason === 'mismatch'
        ? 'the backup record’s signature does not verify against its device’s key (altered after upload)'
        : 'the backup record names a device this account does not have (altered after upload)'
    case 'MetadataTooLarge':
      return 'the file name and tags are too long to encrypt within 8 KiB'
    case 'InvalidArgument':
      return `invalid ${e.what}`
  }
}

/** Runs a direct-style flow and resolves to Either: ZkebError becomes Left, anything else is a bug and rethrows. */
export const attempt = async <A>(flow: () => Promise<A>): Promise<E.Either<SdkError, A>> => {
  try {
    return E.right(await flow())
  } catch (e) {
    if (isZkebError(e)) return E.left(e.error)
    throw e
  }
}

/** The Right of an Either, or throws its Left inside a ZkebError (for direct-style flows). */
export const orFail = <A>(result: E.Either<SdkError, A>): A =>
  E.isRight(result) ? result.right : fail(result.left)

/** Awaits `call`, turning the server's refusal `code` into `error` (e.g. invalid-credentials → WrongPassword). */
export const refusedAs = async <A>(call: Promise<A>, code: string, error: SdkError): Promise<A> => {
  try {
    return await call
  } catch (e) {
    if (isZkebError(e) && e.error._tag === 'ApiError' && e.error.code === code) return fail(error)
    throw e
  }
}
