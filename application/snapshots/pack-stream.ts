/**
 * Knows how to pass a pack through to the blob store while hashing and counting it and parsing its header from
 * the first bytes, so a bad header stops the upload after those bytes, not after 64 MiB.
 * SECURITY: only the plaintext header is read (keyed ids and lengths); the objects pass through unopened.
 */
import * as E from 'fp-ts/Either'
import { type ContentLengthMismatch, contentLengthMismatch } from '../../domain/errors'
import type { PackEntry } from '../../domain/snapshot'
import { type BadPack, badPack } from '../../domain/snapshot-errors'
import {
  PACK_PREFIX_BYTES,
  packHeaderLength,
  packObjectCount,
  parsePackHeader,
} from '../../domain/snapshot-pack'
import type { Sha256Hex } from '../../domain/ids'
import type { Sha256Stream } from '../ports/hasher'

export type PackStream = Readonly<{
  chunks: AsyncIterable<Uint8Array>
  /** Why the stream was stopped, if it was. */
  stopped: () => BadPack | ContentLengthMismatch | null
  /** The header's entries once it has arrived whole and holds; null before. */
  entries: () => ReadonlyArray<PackEntry> | null
  bytes: () => number
  digestHex: () => Sha256Hex
}>

/** Collects the header across chunks: first the fixed prefix, then as many entries as it announces. */
const headerReader = (declaredLength: number) => {
  let buffer = new Uint8Array(PACK_PREFIX_BYTES)
  let filled = 0
  let entries: ReadonlyArray<PackEntry> | null = null
  /** The header once whole: its announced size, then its parse against the whole body's length. */
  const onFilled = (): BadPack | null => {
    if (buffer.length === PACK_PREFIX_BYTES) {
      const count = packObjectCount(buffer)
      if (E.isLeft(count)) return count.left
      const wanted = packHeaderLength(count.right)
      if (wanted > declaredLength) return badPack('size')
      const grown = new Uint8Array(wanted)
      grown.set(buffer)
      buffer = grown
      return null
    }
    const parsed = parsePackHeader(buffer, declaredLength)
    if (E.isLeft(parsed)) return parsed.left
    entries = parsed.right
    return null
  }
  const absorb = (chunk: Uint8Array): BadPack | null => {
    let at = 0
    while (entries === null && at < chunk.length) {
      const take = Math.min(buffer.length - filled, chunk.length - at)
      buffer.set(chunk.subarray(at, at + take), filled)
      filled += take
      at += take
      if (filled < buffer.length) return null
      const refused = onFilled()
      if (refused !== null) return refused
    }
    return null
  }
  return { absorb, entries: () => entries }
}

/** `declaredLength` (Content-Length, required for packs) is both the header's reference and a ceiling. */
export const packStream = (
  content: AsyncIterable<Uint8Array>,
  hash: Sha256Stream,
  declaredLength: number,
): PackStream => {
  const header = headerReader(declaredLength)
  let bytes = 0
  let stopped: BadPack | ContentLengthMismatch | null = null
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for await (const chunk of content) {
      bytes += chunk.length
      stopped = bytes > declaredLength ? contentLengthMismatch : header.absorb(chunk)
      if (stopped !== null) throw new Error(`pack upload stopped: ${stopped._tag}`)
      hash.update(chunk)
      yield chunk
    }
  }
  return {
    chunks: chunks(),
    stopped: () => stopped,
    entries: header.entries,
    bytes: () => bytes,
    digestHex: hash.digestHex,
  }
}
