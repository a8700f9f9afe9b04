/**
 * The client crypto core's failures: a closed tagged union, as everywhere in ZKEB.
 * SECURITY: errors name what failed (which key, which segment index), never a key, a nonce or plaintext.
 */

/** What an AEAD open was protecting, to tell the user which step failed. */
export type SealedThing = 'umk' | 'dek' | 'metadata' | 'device-key' | 'local-unlock' | 'local-session'

/** Authentication failed: wrong key, wrong AAD (another backup's id) or tampered bytes. */
export type DecryptionFailed = { readonly _tag: 'DecryptionFailed'; readonly what: SealedThing }
/** Too short to be nonce || ciphertext || tag. */
export type MalformedCiphertext = { readonly _tag: 'MalformedCiphertext'; readonly what: SealedThing }
/** A recovery key that does not parse or whose checksum does not match (usually a typo). */
export type InvalidRecoveryKey = {
  readonly _tag: 'InvalidRecoveryKey'
  readonly reason: 'format' | 'checksum'
}
/** Metadata whose encrypted form would exceed the 8 KiB the server accepts. */
export type MetadataTooLarge = { readonly _tag: 'MetadataTooLarge'; readonly maxJsonBytes: number }
/** Authentic metadata that is not the expected JSON shape (a buggy or foreign writer). */
export type InvalidMetadata = { readonly _tag: 'InvalidMetadata'; readonly paths: ReadonlyArray<string> }
/** OPAQUE login failed: wrong password, or a server that does not hold this user's record. */
export type LoginFailed = { readonly _tag: 'LoginFailed' }

/** The server sent an OPAQUE message that does not parse (a broken or hostile server). */
export type OpaqueProtocolError = {
  readonly _tag: 'OpaqueProtocolError'
  readonly step: 'registration' | 'login'
}

/** Segment stream header: wrong magic, unknown version or a segment size outside the accepted range. */
export type BadStreamHeader = {
  readonly _tag: 'BadStreamHeader'
  readonly reason: 'magic' | 'version' | 'segment-size'
}
/** The stream ended before its last segment (or before its header). */
export type StreamTruncated = { readonly _tag: 'StreamTruncated'; readonly segmentsRead: number }
/** Bytes follow the last segment. */
export type StreamTrailingData = { readonly _tag: 'StreamTrailingData'; readonly segmentsRead: number }
/** Segment `index` does not authenticate: flipped bytes, reordering, splicing from another backup or key. */
export type SegmentAuthFailed = { readonly _tag: 'SegmentAuthFailed'; readonly index: number }
/** Authentic plaintext whose Padmé framing is wrong (a buggy writer holding the key). */
export type BadPadding = { readonly _tag: 'BadPadding' }

export type StreamError =
  BadStreamHeader | StreamTruncated | StreamTrailingData | SegmentAuthFailed | BadPadding

export const decryptionFailed = (what: SealedThing): DecryptionFailed => ({ _tag: 'DecryptionFailed', what })
export const malformedCiphertext = (what: SealedThing): MalformedCiphertext => ({
  _tag: 'MalformedCiphertext',
  what,
})
export const invalidRecoveryKey = (reason: InvalidRecoveryKey['reason']): InvalidRecoveryKey => ({
  _tag: 'InvalidRecoveryKey',
  reason,
})
export const metadataTooLarge = (maxJsonBytes: number): MetadataTooLarge => ({
  _tag: 'MetadataTooLarge',
  maxJsonBytes,
})
export const invalidMetadata = (paths: ReadonlyArray<string>): InvalidMetadata => ({
  _tag: 'InvalidMetadata',
  paths,
})
export const loginFailed: LoginFailed = { _tag: 'LoginFailed' }
export const opaqueProtocolError = (step: OpaqueProtocolError['step']): OpaqueProtocolError => ({
  _tag: 'OpaqueProtocolError',
  step,
})
export const badStreamHeader = (reason: BadStreamHeader['reason']): BadStreamHeader => ({
  _tag: 'BadStreamHeader',
  reason,
})
export const streamTruncated = (segmentsRead: number): StreamTruncated => ({
  _tag: 'StreamTruncated',
  segmentsRead,
})
export const streamTrailingData = (segmentsRead: number): StreamTrailingData => ({
  _tag: 'StreamTrailingData',
  segmentsRead,
})
export const segmentAuthFailed = (index: number): SegmentAuthFailed => ({ _tag: 'SegmentAuthFailed', index })
export const badPadding: BadPadding = { _tag: 'BadPadding' }

/**
 * Thrown by `decryptSegments`: an async iterable can only fail by throwing, so the tagged error travels
 * inside this Error as `error`. Everything else in the core returns Either/TaskEither.
 */
export class StreamDecryptionError extends Error {
  constructor(readonly error: StreamError) {
    super(`zkeb stream refused: ${error._tag}`)
    this.name = 'StreamDecryptionError'
  }
}

/** Narrows an unknown thrown value to a stream refusal. */
export const isStreamDecryptionError = (e: unknown): e is StreamDecryptionError =>
  e instanceof StreamDecryptionError
