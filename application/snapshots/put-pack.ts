/**
 * SECURITY: the pack streams into a fresh blob (a random id that names no user data) that no record names until
 * the commit; on every failure (bad header, cut short, wrong hash, over quota, id taken meanwhile) the blob is
 * deleted again. A crash in between leaves a blob without a pack row: an orphan for the blob collector.
 */
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import { contentHashMismatch, contentLengthMismatch } from '../../domain/errors'
import type { AccountId, BlobId } from '../../domain/ids'
import type { PackEntry, SnapshotPack } from '../../domain/snapshot'
import { badPack, packTooLarge } from '../../domain/snapshot-errors'
import { MAX_PACK_BYTES } from '../../domain/snapshot-pack'
import { asRetry, commitPack } from './commit-pack'
import { packStream } from './pack-stream'
import type { PutPack, PutPackDeps, PutPackError, PutPackInput, PutPackOutput } from './put-pack-input'

type Streamed = Readonly<{ pack: SnapshotPack; entries: ReadonlyArray<PackEntry> }>

/** The whole body, exactly as long as declared, with the declared hash and a header that holds. */
const streamPack = (
  deps: PutPackDeps,
  input: PutPackInput,
  content: AsyncIterable<Uint8Array>,
  accountId: AccountId,
  blobId: BlobId,
): TE.TaskEither<PutPackError, Streamed> => {
  const stream = packStream(content, deps.hasher.sha256Stream(), input.contentLength)
  return pipe(
    deps.blobs.write(accountId, blobId, stream.chunks),
    TE.mapError((e): PutPackError => stream.stopped() ?? e),
    TE.flatMapEither(({ sizeBytes }): E.Either<PutPackError, Streamed> => {
      if (sizeBytes !== input.contentLength) return E.left(contentLengthMismatch)
      if (stream.digestHex() !== input.contentSha256) return E.left(contentHashMismatch)
      const entries = stream.entries()
      if (entries === null) return E.left(badPack('size'))
      const pack: SnapshotPack = {
        accountId,
        packId: input.packId,
        blobId,
        sha256: input.contentSha256,
        sizeBytes,
        objectCount: entries.length,
        createdAt: deps.clock.now(),
      }
      return E.right({ pack, entries })
    }),
  )
}

/** Writes, verifies and commits; the blob survives only if the commit made a new pack of it. */
const storePack = (
  deps: PutPackDeps,
  input: PutPackInput,
  content: AsyncIterable<Uint8Array>,
  accountId: AccountId,
): TE.TaskEither<PutPackError, PutPackOutput> => {
  const blobId = deps.ids.uuid() as BlobId
  return async () => {
    const result = await pipe(
      streamPack(deps, input, content, accountId, blobId),
      TE.flatMap(({ pack, entries }) => commitPack(deps, pack, entries)),
    )()
    // Best effort: the original failure is what the caller needs to see.
    if (E.isLeft(result) || !result.right.created) await deps.blobs.delete(accountId, blobId)()
    return result
  }
}

export const putPack =
  (deps: PutPackDeps): PutPack =>
  (input, content, caller) =>
    input.contentLength > MAX_PACK_BYTES
      ? TE.left(packTooLarge(MAX_PACK_BYTES))
      : pipe(
          deps.unitOfWork.inAccount(caller.accountId, (tx) =>
            tx.snapshotObjects.findPack(caller.accountId, input.packId),
          ),
          TE.flatMap(
            O.match(
              () => storePack(deps, input, content, caller.accountId),
              (stored) => asRetry(stored, input.contentSha256),
            ),
          ),
        )
