/**
 * Knows protocol v1.1's objects: keyed ids and the encrypted, padded form the server stores.
 *   id        = HMAC-SHA256(idKey, type || plaintext)                         (32 bytes, lowercase hex on the wire)
 *   framed    = flags (u8) | length (u32be) | data | zeros up to padmeLength(5 + length)
 *   object    = version 0x01 | nonce (12 random bytes) | AES-256-GCM(objectKey, framed, aad)
 *   aad       = "zkeb/v1.1/object" | version | type | id (32 raw bytes)
 * `data` is the plaintext, or its raw DEFLATE (RFC 1951) when flags bit 0 is set.
 * SECURITY: the id is keyed, so the server can match equal objects of one account but cannot test whether a
 * known file is stored. The AAD binds version, type and id, so an object cannot be served as another or as a
 * tree; the reader also recomputes the id, so authentic bytes stored under a wrong id are refused. Padmé leaves
 * the server only a length bucket. Nonces are random: one objectKey seals far fewer than 2^32 objects.
 */
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto'
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import * as E from 'fp-ts/Either'
import { NONCE_BYTES, TAG_BYTES } from '../crypto/aead'
import { RandomBytes, secureRandomBytes, utf8 } from '../crypto/bytes'
import { padmeLength } from '../crypto/padme'
import { fromHex, hex, ID_BYTES } from './binary'
import { objectCorrupt, ObjectCorrupt } from './errors'
import { SnapshotKeys, SnapshotLabels } from './keys'

export type ObjectType = 'data' | 'tree'
export const OBJECT_TYPE_BYTE: Readonly<Record<ObjectType, number>> = { data: 0x01, tree: 0x02 }
export const OBJECT_VERSION = 0x01
const FLAG_DEFLATE = 0x01
const FRAME_HEADER = 5

/** Largest plaintext of one object (a tree of a very large folder; data chunks stop at 8 MiB). */
export const MAX_OBJECT_PLAINTEXT = 32 * 1024 * 1024
/** Largest stored object: the padded frame of the largest plaintext, sealed. */
export const MAX_OBJECT_BYTES = 1 + NONCE_BYTES + padmeLength(FRAME_HEADER + MAX_OBJECT_PLAINTEXT) + TAG_BYTES
/** Smallest stored object: an empty plaintext. */
export const MIN_OBJECT_BYTES = 1 + NONCE_BYTES + padmeLength(FRAME_HEADER) + TAG_BYTES

declare const objectIdBrand: unique symbol
/** 64 lowercase hex characters. */
export type ObjectId = string & { readonly [objectIdBrand]: 'ObjectId' }

export const isObjectId = (s: string): s is ObjectId => s.length === 2 * ID_BYTES && fromHex(s) !== undefined
export const objectIdBytes = (id: ObjectId): Uint8Array => fromHex(id)!
export const objectIdFromBytes = (bytes: Uint8Array): ObjectId => {
  if (bytes.length !== ID_BYTES) throw new RangeError('an object id is 32 bytes')
  return hex(bytes) as ObjectId
}

const macOf = (keys: SnapshotKeys, input: Uint8Array): Promise<ObjectId> =>
  Promise.resolve(objectIdFromBytes(createHmac('sha256', keys.idKey).update(input).digest()))

/** id = HMAC-SHA256(idKey, type || plaintext). */
export const computeObjectId = async (
  keys: SnapshotKeys,
  type: ObjectType,
  plaintext: Uint8Array,
): Promise<ObjectId> => {
  const input = new Uint8Array(1 + plaintext.length)
  input[0] = OBJECT_TYPE_BYTE[type]
  input.set(plaintext, 1)
  return macOf(keys, input)
}

/** An object identified and framed, ready to seal. */
export type Identified = Readonly<{ id: ObjectId; frame: Uint8Array }>

/**
 * The id and the padded frame of `plaintext`, copying it once: the plaintext is placed at its frame offset,
 * the type byte just before it (where the frame's length field ends) for the HMAC, and the frame header is
 * written over it afterwards. The backup's hot path: one copy per byte instead of three.
 */
export const identifyObject = async (
  keys: SnapshotKeys,
  type: ObjectType,
  plaintext: Uint8Array,
  compress: false | 1 | 6 = false,
): Promise<Identified> => {
  if (plaintext.length > MAX_OBJECT_PLAINTEXT) throw new RangeError('object too large')
  const frame = new Uint8Array(padmeLength(FRAME_HEADER + plaintext.length))
  frame.set(plaintext, FRAME_HEADER)
  frame[FRAME_HEADER - 1] = OBJECT_TYPE_BYTE[type]
  const id = await macOf(keys, frame.subarray(FRAME_HEADER - 1, FRAME_HEADER + plaintext.length))
  if (compress !== false) return { id, frame: frameObject(plaintext, compress) }
  frame[0] = 0
  new DataView(frame.buffer).setUint32(1, plaintext.length)
  return { id, frame }
}

export const objectAad = (type: ObjectType, id: ObjectId): Uint8Array => {
  const label = utf8(SnapshotLabels.object)
  const aad = new Uint8Array(label.length + 2 + ID_BYTES)
  aad.set(label)
  aad[label.length] = OBJECT_VERSION
  aad[label.length + 1] = OBJECT_TYPE_BYTE[type]
  aad.set(objectIdBytes(id), label.length + 2)
  return aad
}

/** The padded frame of `plaintext`, deflated when asked and when that makes it smaller. */
export const frameObject = (plaintext: Uint8Array, compress: false | 1 | 6): Uint8Array => {
  if (plaintext.length > MAX_OBJECT_PLAINTEXT) throw new RangeError('object too large')
  const deflated = compress === false ? undefined : deflateRawSync(plaintext, { level: compress })
  const useDeflate = deflated !== undefined && deflated.length < plaintext.length
  const data = useDeflate ? deflated : plaintext
  const framed = new Uint8Array(padmeLength(FRAME_HEADER + data.length))
  framed[0] = useDeflate ? FLAG_DEFLATE : 0
  new DataView(framed.buffer).setUint32(1, data.length)
  framed.set(data, FRAME_HEADER)
  return framed
}

export type SealOptions = Readonly<{ compress?: false | 1 | 6; random?: RandomBytes }>

/** Seals a frame (from identifyObject or frameObject) as the object stored under `id`. */
export const sealFrame = (
  keys: SnapshotKeys,
  type: ObjectType,
  id: ObjectId,
  framed: Uint8Array,
  random: RandomBytes = secureRandomBytes,
): Promise<Uint8Array> => {
  const nonce = random(NONCE_BYTES)
  const cipher = createCipheriv('aes-256-gcm', keys.objectKey, nonce).setAAD(objectAad(type, id))
  const body = cipher.update(framed)
  cipher.final()
  const out = new Uint8Array(1 + NONCE_BYTES + body.length + TAG_BYTES)
  out[0] = OBJECT_VERSION
  out.set(nonce, 1)
  out.set(body, 1 + NONCE_BYTES)
  out.set(cipher.getAuthTag(), 1 + NONCE_BYTES + body.length)
  return Promise.resolve(out)
}

/** Seals one object (its id computed by the caller with computeObjectId). */
export const sealObject = (
  keys: SnapshotKeys,
  type: ObjectType,
  id: ObjectId,
  plaintext: Uint8Array,
  options: SealOptions = {},
): Promise<Uint8Array> =>
  sealFrame(keys, type, id, frameObject(plaintext, options.compress ?? false), options.random)

/** The plaintext of a canonical frame, or the reason it is not one. */
export const unframeObject = (framed: Uint8Array): E.Either<'framing', Uint8Array> => {
  if (framed.length < FRAME_HEADER) return E.left('framing')
  const flags = framed[0]!
  const length = new DataView(framed.buffer, framed.byteOffset, framed.byteLength).getUint32(1)
  const end = FRAME_HEADER + length
  if ((flags & ~FLAG_DEFLATE) !== 0 || end > framed.length || padmeLength(end) !== framed.length)
    return E.left('framing')
  for (let i = end; i < framed.length; i++) if (framed[i] !== 0) return E.left('framing')
  const data = framed.subarray(FRAME_HEADER, end)
  if ((flags & FLAG_DEFLATE) === 0) return E.right(data)
  return E.tryCatch(
    () => new Uint8Array(inflateRawSync(data, { maxOutputLength: MAX_OBJECT_PLAINTEXT })),
    () => 'framing' as const,
  )
}

const decrypt = (
  keys: SnapshotKeys,
  type: ObjectType,
  id: ObjectId,
  object: Uint8Array,
): Uint8Array | undefined => {
  const decipher = createDecipheriv('aes-256-gcm', keys.objectKey, object.subarray(1, 1 + NONCE_BYTES))
  decipher.setAAD(objectAad(type, id)).setAuthTag(object.subarray(object.length - TAG_BYTES))
  const framed = decipher.update(object.subarray(1 + NONCE_BYTES, object.length - TAG_BYTES))
  try {
    decipher.final()
    return framed
  } catch {
    return undefined // the tag did not verify
  }
}

/** Opens an object read from the store: the AEAD, then the framing, then the id. */
export const openObject = async (
  keys: SnapshotKeys,
  type: ObjectType,
  id: ObjectId,
  object: Uint8Array,
): Promise<E.Either<ObjectCorrupt, Uint8Array>> => {
  if (object.length > MAX_OBJECT_BYTES) return E.left(objectCorrupt(id, 'too-large'))
  if (object.length < MIN_OBJECT_BYTES || object[0] !== OBJECT_VERSION)
    return E.left(objectCorrupt(id, 'format'))
  const framed = decrypt(keys, type, id, object)
  if (framed === undefined) return E.left(objectCorrupt(id, 'auth'))
  const plaintext = unframeObject(framed)
  if (E.isLeft(plaintext)) return E.left(objectCorrupt(id, 'framing'))
  const actual =
    framed[0] === 0
      ? await macOf(keys, typed(framed, type)) // the HMAC input in place: the type byte over the length's last byte
      : await computeObjectId(keys, type, plaintext.right)
  return actual === id ? plaintext : E.left(objectCorrupt(id, 'id-mismatch'))
}

/** type || data inside a raw frame whose header has been read: frame[4] becomes the type byte. */
const typed = (framed: Uint8Array, type: ObjectType): Uint8Array => {
  const length = new DataView(framed.buffer, framed.byteOffset, framed.byteLength).getUint32(1)
  framed[FRAME_HEADER - 1] = OBJECT_TYPE_BYTE[type]
  return framed.subarray(FRAME_HEADER - 1, FRAME_HEADER + length)
}
