/** Wire-level codecs shared by several use-case inputs. */
import * as t from 'io-ts'
import { boundedBytes } from '../../domain/ids'

/** An OPAQUE protocol message from `@serenity-kit/opaque`, base64url. */
export const OpaqueMessage = boundedBytes('OpaqueMessage', 1, 2048)
export type OpaqueMessage = t.TypeOf<typeof OpaqueMessage>

/** `limit` of a list query: 1–200 (api-v1). */
export const PageLimit = t.refinement(t.Int, (n) => n >= 1 && n <= 200, 'PageLimit')

/** The proof of the recovery key: HKDF(recoveryKey, "zkeb/v1/recovery-auth"), 32 bytes. */
export const RecoveryProof = boundedBytes('RecoveryProof', 32, 32)

/** A version number the client last saw. */
export const Version = t.refinement(t.Int, (n) => n >= 0, 'Version')
