/**
 * The ZKEB client crypto core (protocol v1), for Node ≥ 20 and browsers: WebCrypto, TextEncoder and
 * Uint8Array only. Fallible operations resolve to an fp-ts Either and do not reject on bad input; the one
 * exception is `decryptSegments`, an async iterable, which throws StreamDecryptionError.
 */
export * from './aead'
export * from './base32'
export * from './bytes'
export * from './device-keys'
export * from './errors'
export * from './hkdf'
export * from './keys'
export * from './metadata'
export * from './opaque'
export * from './padme'
export * from './recovery-key'
export * from './segment-decryption'
export * from './segment-encryption'
export * from './segment-format'
