/**
 * Knows the canonical encoding of a tree (one folder), the plaintext of a `tree` object:
 *   tree  = "ZKTR" | version 0x01 | count (u32) | entry × count, entries in strictly increasing byte order of name
 *   entry = nameLength (u16) | name | type (u8: 1 file, 2 dir, 3 symlink) | mode (u32, permission bits 0o7777)
 *           | mtimeNs (i64) | ctimeNs (i64) | size (u64) | inode (u64)
 *           | file: count (u32) | data ids (32 bytes each) · dir: subtree id (32 bytes) · symlink: length (u32) | target
 * One folder has one encoding, so an unchanged folder gives the same tree id and costs nothing in a new snapshot.
 * SECURITY: names are any bytes but "", ".", "..", or bytes containing "/" or NUL, which a decoder refuses: a
 * restore writes names under its target, and such a name would leave it.
 */
import * as E from 'fp-ts/Either'
import { utf8 } from '../crypto/bytes'
import { ByteReader, ByteWriter, compareBytes, ID_BYTES } from './binary'
import { invalidEncoding, InvalidEncoding } from './errors'
import { ObjectId, objectIdBytes, objectIdFromBytes } from './object'

export const TREE_MAGIC = utf8('ZKTR')
export const TREE_VERSION = 0x01
const TYPE_BYTE = { file: 1, dir: 2, symlink: 3 } as const
const TYPE_OF: Readonly<Record<number, EntryType>> = { 1: 'file', 2: 'dir', 3: 'symlink' }

export type EntryType = keyof typeof TYPE_BYTE

type EntryCommon = Readonly<{
  name: Uint8Array
  /** Permission bits only (0o7777): the type is `type`. */
  mode: number
  mtimeNs: bigint
  ctimeNs: bigint
  /** Bytes of a file; 0 for folders and symlinks. */
  size: number
  inode: bigint
}>
export type FileEntry = EntryCommon & Readonly<{ type: 'file'; content: ReadonlyArray<ObjectId> }>
export type DirEntry = EntryCommon & Readonly<{ type: 'dir'; subtree: ObjectId }>
export type SymlinkEntry = EntryCommon & Readonly<{ type: 'symlink'; target: Uint8Array }>
export type TreeEntry = FileEntry | DirEntry | SymlinkEntry
export type Tree = ReadonlyArray<TreeEntry>

/** A name a tree may hold. */
export const isSafeName = (name: Uint8Array): boolean =>
  name.length > 0 &&
  name.length <= 0xffff &&
  !name.includes(0x2f) &&
  !name.includes(0) &&
  !(name.length === 1 && name[0] === 0x2e) &&
  !(name.length === 2 && name[0] === 0x2e && name[1] === 0x2e)

const writeEntry = (w: ByteWriter, e: TreeEntry): void => {
  w.u16(e.name.length)
    .bytes(e.name)
    .u8(TYPE_BYTE[e.type])
    .u32(e.mode & 0o7777)
  w.i64(e.mtimeNs).i64(e.ctimeNs).u64(BigInt(e.size)).u64(e.inode)
  switch (e.type) {
    case 'file':
      w.u32(e.content.length)
      for (const id of e.content) w.bytes(objectIdBytes(id))
      return
    case 'dir':
      w.bytes(objectIdBytes(e.subtree))
      return
    case 'symlink':
      w.u32(e.target.length).bytes(e.target)
  }
}

/** The canonical bytes of a folder's entries (sorted here). Throws on a name no tree may hold (a caller bug). */
export const encodeTree = (entries: Tree): Uint8Array => {
  const sorted = [...entries].sort((a, b) => compareBytes(a.name, b.name))
  const w = new ByteWriter().bytes(TREE_MAGIC).u8(TREE_VERSION).u32(sorted.length)
  sorted.forEach((e, i) => {
    if (!isSafeName(e.name))
      throw new RangeError('a tree entry name is empty, "." / "..", or holds "/" or NUL')
    if (i > 0 && compareBytes(sorted[i - 1]!.name, e.name) === 0)
      throw new RangeError('duplicate tree entry name')
    writeEntry(w, e)
  })
  return w.finish()
}

const readId = (r: ByteReader): ObjectId | undefined => {
  const bytes = r.bytes(ID_BYTES)
  return bytes.length === ID_BYTES ? objectIdFromBytes(bytes) : undefined
}

const readEntry = (r: ByteReader): TreeEntry | string => {
  const name = r.bytes(r.u16())
  const type = TYPE_OF[r.u8()]
  const mode = r.u32()
  const common = { name, mode, mtimeNs: r.i64(), ctimeNs: r.i64(), size: Number(r.u64()), inode: r.u64() }
  if (r.failed) return 'truncated'
  if (!isSafeName(name)) return 'name'
  if (type === undefined || mode > 0o7777 || !Number.isSafeInteger(common.size)) return 'field'
  switch (type) {
    case 'file': {
      const count = r.u32()
      if (count * ID_BYTES > r.remaining()) return 'truncated'
      const content: ObjectId[] = []
      for (let i = 0; i < count; i++) content.push(readId(r)!)
      return { ...common, type, content }
    }
    case 'dir': {
      const subtree = readId(r)
      return subtree === undefined ? 'truncated' : { ...common, type, subtree }
    }
    case 'symlink': {
      const target = r.bytes(r.u32())
      return r.failed ? 'truncated' : { ...common, type, target }
    }
  }
}

/** Parses a tree's plaintext; Left unless it is exactly the canonical encoding of some folder. */
export const decodeTree = (bytes: Uint8Array): E.Either<InvalidEncoding, Tree> => {
  const r = new ByteReader(bytes)
  if (compareBytes(r.bytes(4), TREE_MAGIC) !== 0) return E.left(invalidEncoding('tree', 'magic'))
  if (r.u8() !== TREE_VERSION) return E.left(invalidEncoding('tree', 'version'))
  const count = r.u32()
  const entries: TreeEntry[] = []
  for (let i = 0; i < count; i++) {
    const entry = readEntry(r)
    if (typeof entry === 'string') return E.left(invalidEncoding('tree', entry))
    if (i > 0 && compareBytes(entries[i - 1]!.name, entry.name) >= 0)
      return E.left(invalidEncoding('tree', 'order'))
    entries.push(entry)
  }
  if (r.failed) return E.left(invalidEncoding('tree', 'truncated'))
  return r.remaining() === 0 ? E.right(entries) : E.left(invalidEncoding('tree', 'trailing-bytes'))
}
