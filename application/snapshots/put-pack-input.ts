/** What a pack upload takes, answers and needs: shared by its steps (precheck, stream, commit). */
import * as t from 'io-ts'
import type * as TE from 'fp-ts/TaskEither'
import type { ContentHashMismatch, ContentLengthMismatch, QuotaExceeded } from '../../domain/errors'
import { ByteCount, Sha256Hex } from '../../domain/ids'
import { PackId, type SnapshotPack } from '../../domain/snapshot'
import type { BadPack, PackExists, PackTooLarge } from '../../domain/snapshot-errors'
import type { Caller } from '../context'
import type { Unavailable } from '../errors'
import type { Ports } from '../ports/index'

/** `contentLength` is the request's Content-Length: a pack is never sent without one. */
export const PutPackInput = t.strict({ packId: PackId, contentSha256: Sha256Hex, contentLength: ByteCount })
export type PutPackInput = t.TypeOf<typeof PutPackInput>
export type PutPackOutput = Readonly<{
  pack: SnapshotPack
  /** False for a retry: the same pack id and hash were stored before, and nothing was added now. */
  created: boolean
  newObjects: number
  newBytes: number
}>
export type PutPackError =
  | PackExists
  | BadPack
  | PackTooLarge
  | ContentHashMismatch
  | ContentLengthMismatch
  | QuotaExceeded
  | Unavailable
/**
 * Streams a pack into a fresh blob while hashing it and parsing its header, then indexes its objects in one
 * transaction (the pack, the new index rows, the claims, the quota on the new unique bytes). The same pack id
 * with the same hash again is a retry; on every failure the blob is deleted and nothing becomes visible.
 */
export type PutPack = (
  input: PutPackInput,
  content: AsyncIterable<Uint8Array>,
  caller: Caller,
) => TE.TaskEither<PutPackError, PutPackOutput>
export type PutPackDeps = Pick<Ports, 'unitOfWork' | 'blobs' | 'hasher' | 'clock' | 'ids'>
