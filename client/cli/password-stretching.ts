/**
 * Knows the client-local password stretching: Argon2id (RFC 9106) with the same parameters OPAQUE uses for
 * the password (KeyStretching, client/crypto/opaque.ts), so a key derived here costs a guesser exactly what one OPAQUE login
 * guess costs. CLI-local, not in protocol-v1: the CLI keeps its UMK sealed on disk under this key (state.ts).
 * @noble/hashes is pure JavaScript (about 1.5 s for the default parameters here, a little slower than OPAQUE's
 * WASM); it lives in the CLI because client/crypto may import only @serenity-kit/opaque (its portability test).
 */
import { argon2idAsync } from '@noble/hashes/argon2.js'
import { utf8, type KeyStretching } from '../crypto'

/** Argon2id cost: memory in KiB, passes, lanes. */
export type Argon2Params = Readonly<{ memoryKiB: number; iterations: number; parallelism: number }>

/** The Argon2id parameters behind a KeyStretching name, as @serenity-kit/opaque documents them. */
export const argon2ParamsOf = (stretching: KeyStretching): Argon2Params => {
  if (stretching === 'memory-constrained') return { memoryKiB: 2 ** 16, iterations: 3, parallelism: 4 }
  if (stretching === 'rfc-recommended' || stretching === 'rfc-draft-recommended')
    return { memoryKiB: 2 ** 21 - 1, iterations: 1, parallelism: 4 }
  const custom = stretching['argon2id-custom']
  return { memoryKiB: custom.memory, iterations: custom.iterations, parallelism: custom.parallelism }
}

/**
 * The bounds a stored parameter set must respect before we run it: a tampered file must not make us
 * allocate gigabytes, and parameters below RFC 9106's minimum (memory ≥ 8 KiB per lane) are refused.
 */
export const isSaneArgon2 = (p: Argon2Params): boolean =>
  Number.isSafeInteger(p.memoryKiB) &&
  Number.isSafeInteger(p.iterations) &&
  Number.isSafeInteger(p.parallelism) &&
  p.parallelism >= 1 &&
  p.parallelism <= 16 &&
  p.iterations >= 1 &&
  p.iterations <= 16 &&
  p.memoryKiB >= 8 * p.parallelism &&
  p.memoryKiB <= 2 ** 21

/** 32 bytes = Argon2id(password, salt, params). The salt is random per stored key (16 bytes or more). */
export const stretchPassword = async (
  password: string,
  salt: Uint8Array,
  params: Argon2Params,
): Promise<Uint8Array> => {
  if (!isSaneArgon2(params)) throw new RangeError('Argon2id parameters out of range')
  return argon2idAsync(utf8(password), salt, {
    m: params.memoryKiB,
    t: params.iterations,
    p: params.parallelism,
    dkLen: 32,
    maxmem: params.memoryKiB * 1024 + 2 ** 20,
  })
}
