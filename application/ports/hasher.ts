import type { Sha256Hex } from '../../domain/ids'

/** An incremental SHA-256, fed chunk by chunk so a stream is hashed without ever being held whole. */
export type Sha256Stream = {
  readonly update: (chunk: Uint8Array) => void
  readonly digestHex: () => Sha256Hex
}

/** SHA-256 and constant-time comparison. Pure computation, so it returns plain values. */
export type Hasher = {
  readonly sha256Hex: (bytes: Uint8Array) => Sha256Hex
  readonly sha256Stream: () => Sha256Stream
  /** Compares two secrets' digests without leaking where they differ through timing. */
  readonly timingSafeEqual: (a: Uint8Array, b: Uint8Array) => boolean
}
