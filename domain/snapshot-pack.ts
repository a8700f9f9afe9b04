/**
 * Knows a pack's plaintext header (protocol v1.1 §6), which the server parses before it stores anything:
 *   pack = "ZKPK" | version 0x01 | count (u32) | (id (32 bytes) | length (u32)) × count | object × count
 * SECURITY: the header carries keyed ids and padded lengths only, no object type; the objects are ciphertext
 * the server never opens.
 */
import * as E from 'fp-ts/Either'
import { type BadPack, badPack } from './snapshot-errors'
import type { ObjectId, PackEntry } from './snapshot'
import { REF_BYTES, toHex } from './snapshot-refs'

export const PACK_VERSION = 0x01
const MAGIC = [0x5a, 0x4b, 0x50, 0x4b] // "ZKPK"
/** The fixed part: magic, version, count. */
export const PACK_PREFIX_BYTES = 9
const ENTRY_BYTES = REF_BYTES + 4
export const MAX_PACK_OBJECTS = 65_536
/** The server refuses larger packs (a client closes one at 16 MiB). */
export const MAX_PACK_BYTES = 64 * 1024 * 1024
/** 1 + 12 + padmeLength(5) + 16: an object with empty plaintext. */
export const MIN_OBJECT_BYTES = 34
/** 1 + 12 + padmeLength(5 + 32 MiB) + 16: an object with the largest plaintext. */
export const MAX_OBJECT_BYTES = 34_603_037

export const packHeaderLength = (count: number): number => PACK_PREFIX_BYTES + ENTRY_BYTES * count

const u32At = (bytes: Uint8Array, at: number): number =>
  ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0

/** The object count the first PACK_PREFIX_BYTES announce, once magic and version hold. */
export const packObjectCount = (prefix: Uint8Array): E.Either<BadPack, number> => {
  if (MAGIC.some((b, i) => prefix[i] !== b)) return E.left(badPack('magic'))
  if (prefix[4] !== PACK_VERSION) return E.left(badPack('version'))
  const count = u32At(prefix, 5)
  return count >= 1 && count <= MAX_PACK_OBJECTS ? E.right(count) : E.left(badPack('count'))
}

const entryAt = (header: Uint8Array, i: number) => {
  const at = PACK_PREFIX_BYTES + i * ENTRY_BYTES
  return { id: toHex(header.subarray(at, at + REF_BYTES)) as ObjectId, length: u32At(header, at + REF_BYTES) }
}

/**
 * The entries of a pack of `totalLength` bytes from its first packHeaderLength(count) bytes: every length within
 * object bounds, no id twice, the header and the lengths adding up to exactly the body.
 */
export const parsePackHeader = (
  header: Uint8Array,
  totalLength: number,
): E.Either<BadPack, ReadonlyArray<PackEntry>> => {
  const count = packObjectCount(header)
  if (E.isLeft(count)) return count
  if (header.length < packHeaderLength(count.right)) return E.left(badPack('size'))
  const entries: PackEntry[] = []
  const seen = new Set<string>()
  let offset = packHeaderLength(count.right)
  for (let i = 0; i < count.right; i++) {
    const { id, length } = entryAt(header, i)
    if (length < MIN_OBJECT_BYTES || length > MAX_OBJECT_BYTES) return E.left(badPack('length'))
    if (seen.has(id)) return E.left(badPack('duplicate-id'))
    seen.add(id)
    entries.push({ objectId: id, offset, length })
    offset += length
  }
  return offset === totalLength ? E.right(entries) : E.left(badPack('size'))
}
