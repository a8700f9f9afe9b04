import type { Uuid } from '../../domain/ids'

/** The only source of randomness in the application: v4 UUIDs and 32-byte secrets (unpadded base64url). */
export type IdGenerator = {
  readonly uuid: () => Uuid
  /** 32 cryptographically random bytes, base64url: refresh tokens, recovery tokens, login ids. */
  readonly secret: () => string
}
