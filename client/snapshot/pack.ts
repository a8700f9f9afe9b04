/**
 * Knows packs, the unit of upload: many encrypted objects in one request, like restic's ~16 MiB packs.
 *   pack   = "ZKPK" | version 0x01 | count (u32) | (id (32 bytes) | length (u32)) × count | object × count
 * Objects follow the header in header order, so object i starts at headerLength + the lengths before it. The
 * server parses the header to index (account, id, pack, offset, length) and serves ranges of the pack.
 * SECURITY: the header is plaintext and carries what the server needs and nothing more: keyed ids and padded
 * lengths. It carries no object type (the AEAD binds it, and clients learn it from the tree that names the id),
 * so the server cannot tell folders from file content.
 */
import { createHash } from 'node:crypto'
import * as E from 'fp-ts/Either'
import { RandomBytes, secureRandomBytes, utf8 } from '../crypto/bytes'
import { ByteReader, ByteWriter, compareBytes, hex, ID_BYTES } from './binary'
import { invalidEncoding, InvalidEncoding } from './errors'
import { MAX_OBJECT_BYTES, MIN_OBJECT_BYTES, ObjectId, objectIdBytes, objectIdFromBytes } from './object'

export const PACK_MAGIC = utf8('ZKPK')
export const PACK_VERSION = 0x01
/** A client closes a pack once its objects reach this size (restic's pack size). */
export const PACK_TARGET_BYTES = 16 * 1024 * 1024
/** The server refuses larger packs. */
export const MAX_PACK_BYTES = 64 * 1024 * 1024
export const MAX_PACK_OBJECTS = 65_536
const FIXED_HEADER = 9
const ENTRY_BYTES = ID_BYTES + 4

export type PackEntry = Readonly<{ id: ObjectId; offset: number; length: number }>
export type Pack = Readonly<{
  packId: string
  bytes: Uint8Array
  sha256: string
  entries: ReadonlyArray<PackEntry>
}>

export const packHeaderLength = (count: number): number => FIXED_HEADER + ENTRY_BYTES * count

/** A pack of the given sealed objects under a random 32-byte pack id (hex). */
export const buildPack = (
  objects: ReadonlyArray<Readonly<{ id: ObjectId; bytes: Uint8Array }>>,
  random: RandomBytes = secureRandomBytes,
): Pack => {
  if (objects.length === 0 || objects.length > MAX_PACK_OBJECTS) throw new RangeError('pack object count')
  const w = new ByteWriter().bytes(PACK_MAGIC).u8(PACK_VERSION).u32(objects.length)
  for (const o of objects) w.bytes(objectIdBytes(o.id)).u32(o.bytes.length)
  const header = w.finish()
  const total = objects.reduce((n, o) => n + o.bytes.length, header.length)
  const bytes = new Uint8Array(total)
  bytes.set(header)
  const entries: PackEntry[] = []
  let offset = header.length
  for (const o of objects) {
    bytes.set(o.bytes, offset)
    entries.push({ id: o.id, offset, length: o.bytes.length })
    offset += o.bytes.length
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  return { packId: hex(random(ID_BYTES)), bytes, sha256, entries }
}

/** The object count a pack prefix announces (after 9 bytes), to know how much header to read. */
export const packObjectCount = (prefix: Uint8Array): E.Either<InvalidEncoding, number> => {
  const r = new ByteReader(prefix)
  if (compareBytes(r.bytes(4), PACK_MAGIC) !== 0) return E.left(invalidEncoding('pack', 'magic'))
  if (r.u8() !== PACK_VERSION) return E.left(invalidEncoding('pack', 'version'))
  const count = r.u32()
  if (r.failed) return E.left(invalidEncoding('pack', 'truncated'))
  return count >= 1 && count <= MAX_PACK_OBJECTS ? E.right(count) : E.left(invalidEncoding('pack', 'count'))
}

/**
 * Parses a pack header (the first packHeaderLength(count) bytes or more) of a pack of `totalLength` bytes, as
 * the server does before it stores anything: every length within object bounds, no id twice, and the lengths
 * adding up to exactly the body.
 */
export const parsePackHeader = (
  prefix: Uint8Array,
  totalLength: number,
): E.Either<InvalidEncoding, ReadonlyArray<PackEntry>> => {
  const count = packObjectCount(prefix)
  if (E.isLeft(count)) return count
  if (totalLength > MAX_PACK_BYTES) return E.left(invalidEncoding('pack', 'too-large'))
  const r = new ByteReader(prefix.subarray(FIXED_HEADER, packHeaderLength(count.right)))
  const entries: PackEntry[] = []
  const seen = new Set<string>()
  let offset = packHeaderLength(count.right)
  for (let i = 0; i < count.right; i++) {
    const id = r.bytes(ID_BYTES)
    const length = r.u32()
    if (r.failed) return E.left(invalidEncoding('pack', 'truncated'))
    if (length < MIN_OBJECT_BYTES || length > MAX_OBJECT_BYTES)
      return E.left(invalidEncoding('pack', 'length'))
    const objectId = objectIdFromBytes(id)
    if (seen.has(objectId)) return E.left(invalidEncoding('pack', 'duplicate-id'))
    seen.add(objectId)
    entries.push({ id: objectId, offset, length })
    offset += length
  }
  return offset === totalLength ? E.right(entries) : E.left(invalidEncoding('pack', 'size'))
}
