/**
 * Knows where a blob lives in BLOB_DIR: `<aa>/<accountId>/<bb>/<blobId>`, where `aa` and `bb` are the first two
 * hex digits of the account and blob ids. Ids are random (v4) UUIDs, so each level spreads evenly: about 256
 * account folders per shard and at most 256 shard folders per account, which keeps every directory small for
 * any number of accounts and blobs. Walking the shards and names in sorted order yields (accountId, blobId)
 * order, the order maintenance listings need. A write in progress is a hidden temporary file beside its blob,
 * `.<blobId>.<random>.tmp`, renamed onto the blob's name once complete.
 * SECURITY: names are the opaque ids only; nothing of the content or of its owner's name appears in a path.
 */
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import type { AccountId, BlobId } from '../../../domain/ids'

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const temporary = /^\.([0-9a-f-]{36})\.[0-9a-f]+\.tmp$/
const shard = /^[0-9a-f]{2}$/

export const isShardName = (name: string): boolean => shard.test(name)
export const isIdName = (name: string): boolean => uuid.test(name)

export const accountFolder = (root: string, accountId: AccountId): string =>
  path.join(root, accountId.slice(0, 2), accountId)

export const blobFolder = (root: string, accountId: AccountId, blobId: BlobId): string =>
  path.join(accountFolder(root, accountId), blobId.slice(0, 2))

export const blobFile = (root: string, accountId: AccountId, blobId: BlobId): string =>
  path.join(blobFolder(root, accountId, blobId), blobId)

/** A fresh temporary name for a write of `blobId`, in the blob's own folder (same filesystem: rename is atomic). */
export const temporaryName = (blobId: BlobId): string => `.${blobId}.${randomBytes(6).toString('hex')}.tmp`

/** What a file in a blob folder is: a blob, a write's temporary file (and whose), or neither. */
export const fileKind = (
  name: string,
): Readonly<{ kind: 'blob' | 'temporary'; blobId: string }> | undefined => {
  if (uuid.test(name)) return { kind: 'blob', blobId: name }
  const match = temporary.exec(name)
  return match?.[1] !== undefined && uuid.test(match[1]) ? { kind: 'temporary', blobId: match[1] } : undefined
}

/** Whether `name` is one of `blobId`'s temporary files. */
export const isTemporaryOf = (name: string, blobId: BlobId): boolean =>
  name.startsWith(`.${blobId}.`) && name.endsWith('.tmp')
