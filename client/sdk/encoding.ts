/**
 * Knows the SDK's byte encodings: base64url for the wire (refusing what a broken server might send instead of
 * throwing deep inside a flow) and incremental SHA-256 for streams (WebCrypto has no incremental digest, so
 * @noble/hashes, pure JS, works the same in Node and browsers).
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { decodeBase64Url, encodeBase64Url, isBase64Url } from '../../domain/base64url'
import { toHex } from '../crypto'
import { badResponse, fail } from './errors'

export const b64 = (bytes: Uint8Array): string => encodeBase64Url(bytes)

/** Decodes a base64url field the server sent; BadResponse (naming the field, not its value) otherwise. */
export const fromB64 = (s: string, field: string): Uint8Array =>
  isBase64Url(s) ? decodeBase64Url(s) : fail(badResponse(200, `${field} is not base64url`))

/** An incremental SHA-256: `update` with each chunk, then `hex` once. */
export type StreamHash = Readonly<{ update: (chunk: Uint8Array) => void; hex: () => string }>

export const streamHash = (): StreamHash => {
  const h = sha256.create()
  return {
    update: (chunk) => {
      h.update(chunk)
    },
    hex: () => toHex(h.digest()),
  }
}

/** SHA-256 hex of one byte array (synchronous, for the audit chain check). */
export const sha256Hex = (bytes: Uint8Array): string => toHex(sha256(bytes))
