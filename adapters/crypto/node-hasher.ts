/** Knows how to hash with node:crypto: SHA-256 (whole or incremental) and constant-time comparison. */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { Hasher } from '../../application/ports/hasher'
import type { Sha256Hex } from '../../domain/ids'

/** The Hasher port over node:crypto. */
export const nodeHasher = (): Hasher => ({
  sha256Hex: (bytes) => createHash('sha256').update(bytes).digest('hex') as Sha256Hex,
  sha256Stream: () => {
    const hash = createHash('sha256')
    return {
      update: (chunk) => {
        hash.update(chunk)
      },
      digestHex: () => hash.digest('hex') as Sha256Hex,
    }
  },
  // Lengths are not secret (both sides are digests of fixed size); only the contents are compared in constant time.
  timingSafeEqual: (a, b) => a.length === b.length && timingSafeEqual(a, b),
})
