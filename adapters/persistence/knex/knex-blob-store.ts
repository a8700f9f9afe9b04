/**
 * Knows how to keep blobs in PostgreSQL as fixed-size bytea chunks (zkeb.blobs + zkeb.blob_chunks).
 * SECURITY: blobs are ciphertext; they are never logged. Chunks are written in short account-scoped
 * transactions, several to one only while they arrive quickly (chunk-batches.ts), so an upload holds no
 * connection while the client is slow; they are read by binary COPY in batches (copy-blob-chunks.ts).
 */
import { pipe } from 'fp-ts/function'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import type { Knex } from 'knex'
import { unavailable, type Unavailable } from '../../../application/errors'
import type { BlobRef as StoredBlob, BlobStore, ByteRange } from '../../../application/ports/blob-store'
import type { AccountId, BlobId } from '../../../domain/ids'
import { chunkWriter } from './chunk-batches'
import { copyBlobRange } from './copy-blob-chunks'
import { decodeAll, decodeBlobRef } from './row-codecs'
import { query, withAccount } from './with-account'

/** Large enough to keep round trips few, small enough to bound memory per upload and per download. */
export const defaultChunkSize = 256 * 1024

type BlobRef = Readonly<{ knex: Knex; accountId: AccountId; blobId: BlobId }>

const inBlob = ({ knex, accountId }: BlobRef) => withAccount(knex, accountId)
const blobRow = (ref: BlobRef) => ({ account_id: ref.accountId, blob_id: ref.blobId })

class DatabaseFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('blob chunk not stored')
  }
}

/**
 * Copies the incoming pieces into one buffer of `chunkSize` and stores it each time it fills (the last may be
 * shorter), so an upload holds one chunk and one piece at a time. The same buffer is refilled: pg has copied a
 * parameter into its own message by the time the insert resolves. Allocating a chunk per flush, or
 * concatenating per piece, turned every uploaded byte into several bytes of dead Buffers, which V8 frees only
 * after their total passes its external-memory limit (64 MiB): that, not the data in flight, was the upload's
 * RSS growth. Returns the byte count; a database failure is Unavailable('postgres'), the input's 'blobs'.
 */
const pump = async (
  ref: BlobRef,
  chunkSize: number,
  pieces: AsyncIterable<Uint8Array>,
): Promise<E.Either<Unavailable, number>> => {
  const chunk = Buffer.allocUnsafe(chunkSize)
  const chunks = chunkWriter(ref.knex, ref.accountId, ref.blobId)
  let filled = 0
  let seq = 0
  let size = 0
  const stored = (work: Promise<void>) =>
    work.catch((cause: unknown) => {
      throw new DatabaseFailure(cause)
    })
  try {
    for await (const piece of pieces) {
      size += piece.length
      for (let at = 0; at < piece.length;) {
        const taken = Math.min(chunkSize - filled, piece.length - at)
        chunk.set(piece.subarray(at, at + taken), filled)
        filled += taken
        at += taken
        if (filled < chunkSize) continue
        await stored(chunks.write(seq++, chunk))
        filled = 0
      }
    }
    if (filled > 0) await stored(chunks.write(seq++, chunk.subarray(0, filled)))
    await stored(chunks.finish())
    return E.right(size)
  } catch (cause) {
    await chunks.abort()
    return E.left(
      cause instanceof DatabaseFailure ? unavailable('postgres')(cause.cause) : unavailable('blobs')(cause),
    )
  }
}

const write =
  (knex: Knex, chunkSize: number) =>
  (accountId: AccountId, blobId: BlobId, pieces: AsyncIterable<Uint8Array>) => {
    const ref = { knex, accountId, blobId }
    const remove = inBlob(ref)((trx) => trx('zkeb.blobs').where(blobRow(ref)).delete())
    return pipe(
      inBlob(ref)((trx) => trx('zkeb.blobs').insert({ ...blobRow(ref), chunk_size: chunkSize })),
      TE.flatMap(() => async () => {
        const pumped = await pump(ref, chunkSize, pieces)
        if (E.isLeft(pumped)) await remove()
        return pumped
      }),
      TE.tap((sizeBytes) =>
        pipe(
          inBlob(ref)((trx) =>
            trx('zkeb.blobs').where(blobRow(ref)).update({ size_bytes: sizeBytes, complete: true }),
          ),
          // Collected or deleted while still arriving: reporting it written would commit a backup without content.
          TE.filterOrElse(
            (updated) => updated === 1,
            () => unavailable('postgres')(new Error('blob deleted while being written')),
          ),
          TE.orElseFirst(() => remove),
        ),
      ),
      TE.map((sizeBytes) => ({ sizeBytes })),
    )
  }

/** Throws from the consumer's pull: a download that cannot go on can only be aborted. */
const orThrow = async <A>(task: TE.TaskEither<Unavailable, A>): Promise<A> => {
  const result = await task()
  if (E.isLeft(result))
    throw result.left.cause instanceof Error ? result.left.cause : new Error('blob store unavailable')
  return result.right
}

/**
 * Streams only the chunks the range touches, each cut to the range on the server, by binary COPY in batches
 * (copy-blob-chunks.ts has why): bytea results through pg's query path arrive hex-encoded as text.
 */
async function* read(ref: BlobRef, range: ByteRange | undefined): AsyncGenerator<Uint8Array> {
  const [blob] = await orThrow(
    inBlob(ref)((trx) =>
      trx('zkeb.blobs')
        .where({ ...blobRow(ref), complete: true })
        .select<Array<{ chunk_size: number; size_bytes: number }>>('chunk_size', 'size_bytes'),
    ),
  )
  if (blob === undefined) throw new Error('blob not found')
  const { chunk_size: chunkSize, size_bytes: size } = blob
  const start = range?.start ?? 0
  const end = Math.min(range?.end ?? size - 1, size - 1)
  if (start > end) return
  yield* copyBlobRange(ref.knex, { accountId: ref.accountId, blobId: ref.blobId, chunkSize, start, end })
}

/** Across accounts through a SECURITY DEFINER function: ids only, in (account_id, blob_id) order. */
const listOlderThan = (knex: Knex) => (cutoff: Date, after: O.Option<StoredBlob>, limit: number) =>
  pipe(
    query(() =>
      knex.raw<{ rows: unknown[] }>('select * from zkeb.blobs_written_before(?, ?, ?, ?)', [
        cutoff,
        O.isSome(after) ? after.value.accountId : null,
        O.isSome(after) ? after.value.blobId : null,
        limit,
      ]),
    ),
    TE.flatMapEither((result) => decodeAll(decodeBlobRef)(result.rows)),
  )

export const knexBlobStore = (knex: Knex, chunkSize: number = defaultChunkSize): BlobStore => ({
  write: write(knex, chunkSize),
  read: (accountId, blobId, range) => ({
    [Symbol.asyncIterator]: () => read({ knex, accountId, blobId }, range),
  }),
  delete: (accountId, blobId) =>
    pipe(
      inBlob({ knex, accountId, blobId })((trx) =>
        trx('zkeb.blobs').where({ account_id: accountId, blob_id: blobId }).delete(),
      ),
      TE.map(() => undefined),
    ),
  deleteAccount: (accountId) =>
    pipe(
      withAccount(knex, accountId)((trx) => trx('zkeb.blobs').where({ account_id: accountId }).delete()),
      TE.map(() => undefined),
    ),
  listOlderThan: listOlderThan(knex),
})
