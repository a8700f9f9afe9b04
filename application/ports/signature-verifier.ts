import type { Ed25519PublicKey, Ed25519Signature } from '../../domain/ids'

/** Ed25519 verification. A malformed key or signature verifies as false; it never throws. */
export type SignatureVerifier = {
  readonly verifyEd25519: (
    publicKey: Ed25519PublicKey,
    message: Uint8Array,
    signature: Ed25519Signature,
  ) => boolean
}
