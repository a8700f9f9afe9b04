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
import { copyBlobRange } from './copy-blob-chunks'
import { decodeAll, decodeBlobRef } from './row-codecs'
import { accountTransaction, type ChunkWriter, chunkWriter, query, withAccount } from '../pg-session'

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

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)

/**
 * A blob no longer than one chunk, stored in one transaction: its row, already complete, and its one chunk
 * (none when empty) in one statement (the chunk's foreign key is checked at the statement's end, when the row
 * exists). Nothing of it is visible, nor collectable, before that commit, so it needs no completion step.
 */
const storeWhole = (ref: BlobRef, chunkSize: number, bytes: Uint8Array) =>
  accountTransaction(ref.knex, ref.accountId, (trx) =>
    bytes.length === 0
      ? trx.raw(
          'insert into zkeb.blobs (account_id, blob_id, chunk_size, size_bytes, complete) values (?, ?, ?, 0, true)',
          [ref.accountId, ref.blobId, chunkSize],
        )
      : trx.raw(
          `with blob as (insert into zkeb.blobs (account_id, blob_id, chunk_size, size_bytes, complete)
             values (?, ?, ?, ?, true))
           insert into zkeb.blob_chunks (account_id, blob_id, seq, data) values (?, ?, 0, ?)`,
          [ref.accountId, ref.blobId, chunkSize, bytes.length, ref.accountId, ref.blobId, asBuffer(bytes)],
        ),
  )

/** Stores the blob row, not yet complete (invisible to readers), before its first chunk. */
const createRow = (ref: BlobRef, chunkSize: number) =>
  accountTransaction(ref.knex, ref.accountId, (trx) =>
    trx('zkeb.blobs').insert({ ...blobRow(ref), chunk_size: chunkSize }),
  )

/** Marks a chunked blob complete; 0 rows means it was collected or deleted while still arriving. */
const completeRow = (ref: BlobRef, sizeBytes: number) =>
  accountTransaction(ref.knex, ref.accountId, (trx) =>
    trx('zkeb.blobs').where(blobRow(ref)).update({ size_bytes: sizeBytes, complete: true }),
  )

const removeRow = (ref: BlobRef) =>
  accountTransaction(ref.knex, ref.accountId, (trx) => trx('zkeb.blobs').where(blobRow(ref)).delete())

/**
 * Copies the incoming pieces into one buffer of `chunkSize` and stores it each time it fills (the last may be
 * shorter), so an upload holds one chunk and one piece at a time. The same buffer is refilled: pg has copied
 * a parameter into its own message by the time the insert resolves. Allocating a chunk per flush, or
 * concatenating per piece, would turn every uploaded byte into several bytes of dead Buffers, which V8 frees
 * only after their total passes its external-memory limit (64 MiB): that, not the data in flight, would be
 * the upload's RSS growth.
 *
 * Small blobs (most backups, every restic index and tree) skip all of that: the first piece is held as it came
 * (pieces are fresh buffers the input does not reuse), the chunk buffer is allocated only when a second piece
 * arrives, and an input that ends within the first chunk is stored whole in one transaction (storeWhole)
 * instead of three (row, chunk batch, completion): a 256 KiB buffer would be most of a 4 KiB upload's
 * allocation, and two more transactions two more fsynced commits.
 *
 * Returns the byte count; a database failure is Unavailable('postgres'), the input's 'blobs'. On any failure
 * nothing of the blob remains.
 */
const pump = async (
  ref: BlobRef,
  chunkSize: number,
  pieces: AsyncIterable<Uint8Array>,
): Promise<E.Either<Unavailable, number>> => {
  let held: Uint8Array | undefined
  let chunk: Buffer | undefined
  let chunks: ChunkWriter | undefined
  let filled = 0
  let seq = 0
  let size = 0
  const stored = <A>(work: Promise<A>) =>
    work.catch((cause: unknown) => {
      throw new DatabaseFailure(cause)
    })
  const flush = async (data: Buffer) => {
    if (chunks === undefined) {
      await stored(createRow(ref, chunkSize))
      chunks = chunkWriter(ref.knex, ref.accountId, ref.blobId)
    }
    await stored(chunks.write(seq++, data))
  }
  try {
    for await (const piece of pieces) {
      size += piece.length
      if (chunk === undefined && held === undefined && piece.length <= chunkSize) {
        held = piece
        continue
      }
      chunk ??= Buffer.allocUnsafe(chunkSize)
      for (const from of held === undefined ? [piece] : [held, piece]) {
        for (let at = 0; at < from.length;) {
          // A full chunk is stored only once more bytes come, so input that ends with it is stored whole.
          if (filled === chunkSize) {
            await flush(chunk)
            filled = 0
          }
          const taken = Math.min(chunkSize - filled, from.length - at)
          chunk.set(from.subarray(at, at + taken), filled)
          filled += taken
          at += taken
        }
      }
      held = undefined
    }
    if (chunks === undefined) {
      await stored(storeWhole(ref, chunkSize, held ?? chunk?.subarray(0, filled) ?? new Uint8Array(0)))
      return E.right(size)
    }
    if (filled > 0) await flush(chunk!.subarray(0, filled))
    await stored(chunks.finish())
    // Collected or deleted while still arriving: reporting it written would commit a backup without content.
    if ((await stored(completeRow(ref, size))) !== 1)
      throw new DatabaseFailure(new Error('blob deleted while being written'))
    return E.right(size)
  } catch (cause) {
    await chunks?.abort()
    if (chunks !== undefined) await removeRow(ref).catch(() => undefined)
    return E.left(
      cause instanceof DatabaseFailure ? unavailable('postgres')(cause.cause) : unavailable('blobs')(cause),
    )
  }
}

const write =
  (knex: Knex, chunkSize: number) =>
  (accountId: AccountId, blobId: BlobId, pieces: AsyncIterable<Uint8Array>) =>
  async (): Promise<E.Either<Unavailable, { readonly sizeBytes: number }>> =>
    pipe(
      await pump({ knex, accountId, blobId }, chunkSize, pieces),
      E.map((sizeBytes) => ({ sizeBytes })),
    )

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
