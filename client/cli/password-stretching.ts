/**
 * Knows the client-local password stretching: Argon2id (RFC 9106) with the same parameters OPAQUE uses for
 * the password (KeyStretching, client/crypto/opaque.ts), so a key derived here costs a guesser exactly what one OPAQUE login
 * guess costs. CLI-local, not in protocol-v1: the CLI keeps its UMK sealed on disk under this key (state.ts).
 * It runs in WebAssembly (hash-wasm: about 0.3 s for the default parameters here, against 1.5 s for the pure
 * JavaScript of @noble/hashes); both compute RFC 9106 Argon2id, the same bytes, so state files sealed by either
 * open with the other (test/client/cli/password-stretching.test.ts). hash-wasm cannot allocate 2 GiB, so
 * parameters above `wasmMaxKiB` (only the 'rfc-recommended' stretching asks for that much) run on @noble/hashes,
 * as does an empty password, which hash-wasm refuses.
 * Both are loaded on first use. It lives in the CLI because client/crypto may import only @serenity-kit/opaque
 * (its portability test).
 */
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

/** The most memory the WebAssembly Argon2id is given; more runs on @noble/hashes. */
export const wasmMaxKiB = 2 ** 20

/* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use, so commands that never stretch a password do not pay for it */
const wasmArgon2id = (password: string, salt: Uint8Array, p: Argon2Params): Promise<Uint8Array> =>
  // The Argon2 build alone: the package's index parses the WebAssembly of every hash it offers (~15 ms more).
  (require('hash-wasm/dist/argon2.umd.min.js') as typeof import('hash-wasm')).argon2id({
    password: utf8(password),
    salt,
    memorySize: p.memoryKiB,
    iterations: p.iterations,
    parallelism: p.parallelism,
    hashLength: 32,
    outputType: 'binary',
  })

const jsArgon2id = (password: string, salt: Uint8Array, p: Argon2Params): Promise<Uint8Array> =>
  (require('@noble/hashes/argon2.js') as typeof import('@noble/hashes/argon2.js')).argon2idAsync(
    utf8(password),
    salt,
    { m: p.memoryKiB, t: p.iterations, p: p.parallelism, dkLen: 32, maxmem: p.memoryKiB * 1024 + 2 ** 20 },
  )
/* eslint-enable @typescript-eslint/no-require-imports */

/** 32 bytes = Argon2id(password, salt, params). The salt is random per stored key (16 bytes or more). */
export const stretchPassword = async (
  password: string,
  salt: Uint8Array,
  params: Argon2Params,
): Promise<Uint8Array> => {
  if (!isSaneArgon2(params)) throw new RangeError('Argon2id parameters out of range')
  // hash-wasm also refuses an empty password, which RFC 9106 allows (the CLI never asks for one).
  return params.memoryKiB <= wasmMaxKiB && password !== ''
    ? wasmArgon2id(password, salt, params)
    : jsArgon2id(password, salt, params)
}
