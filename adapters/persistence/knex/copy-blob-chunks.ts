/**
 * Knows how to read a byte range of a stored blob out of zkeb.blob_chunks with binary COPY, in batches of
 * chunks, each chunk cut to the range by PostgreSQL (substring), so exactly the range's bytes cross the wire.
 */
import type { Knex } from 'knex'
import { escapeLiteral } from 'pg'
import { Uuid, type AccountId, type BlobId } from '../../../domain/ids'
import { binaryCopyFields, copyOutAsAccount } from '../pg-session'

/**
 * How many bytes one COPY may carry. The batch starts at one MiB and doubles after every batch the consumer
 * drained quickly, up to 16 MiB. Why batches at all: a COPY holds its pool connection until the consumer has
 * read it, and counts against statement_timeout while a slow client makes PostgreSQL wait; small first batches
 * keep a slow client well inside both (it must take a MiB within the timeout, and the kernel's socket buffers
 * hold about that much anyway). Why growing: each batch costs four round trips (begin, set_config, COPY,
 * commit), under 1% of the time a 16 MiB batch takes to stream, so a fast download ends up with one per
 * 16 MiB (128 for 2 GiB instead of the four per 256 KiB chunk of one query per chunk).
 */
const firstBatchBytes = 1024 * 1024
const maxBatchBytes = 16 * 1024 * 1024
/** A batch drained within this time was not held back by its consumer: the next may be twice as large. */
const quickBatchMs = 1000

export type StoredRange = Readonly<{
  accountId: AccountId
  blobId: BlobId
  chunkSize: number
  /** Inclusive byte offsets within the blob, already clamped to its size; start <= end. */
  start: number
  end: number
}>

/**
 * SECURITY: COPY takes no bind parameters, so its values are written into the SQL text. Only values that cannot
 * carry SQL are: the ids are re-checked here against the UUID pattern (hex digits and dashes only) besides
 * being typed as validated ids, and quoted with pg's escapeLiteral all the same; every number is checked to be
 * a non-negative safe integer, and numbers are printed by JavaScript as digits only.
 */
const uuidLiteral = (value: string): string => {
  if (!Uuid.is(value)) throw new Error('blob COPY: id is not a UUID')
  return `${escapeLiteral(value)}::uuid`
}
const integer = (value: number): string => {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error('blob COPY: not a non-negative integer')
  return String(value)
}

/** The COPY of chunks `first`..`last`, each cut to [start, end] (offsets within the blob, bigint arithmetic). */
const copyChunksSql = (range: StoredRange, first: number, last: number): string => {
  const offset = `(seq::bigint * ${integer(range.chunkSize)})`
  const from = `greatest(${integer(range.start)} - ${offset}, 0)`
  const to = `least(${integer(range.end)} - ${offset}, ${integer(range.chunkSize - 1)})`
  return [
    `copy (select substring(data from (${from} + 1)::int for (${to} - ${from} + 1)::int)`,
    'from zkeb.blob_chunks',
    `where account_id = ${uuidLiteral(range.accountId)} and blob_id = ${uuidLiteral(range.blobId)}`,
    `and seq between ${integer(first)} and ${integer(last)} order by seq) to stdout (format binary)`,
  ].join(' ')
}

/**
 * The range's bytes, batch after batch, as they arrive. Throws if a chunk is missing or short (a blob marked
 * complete has every chunk; anything else is damage, and a download must not end as if it were whole).
 */
export async function* copyBlobRange(knex: Knex, range: StoredRange): AsyncGenerator<Buffer> {
  const lastSeq = Math.floor(range.end / range.chunkSize)
  let batchChunks = Math.max(1, Math.floor(firstBatchBytes / range.chunkSize))
  const maxChunks = Math.max(1, Math.floor(maxBatchBytes / range.chunkSize))
  for (let first = Math.floor(range.start / range.chunkSize); first <= lastSeq;) {
    const last = Math.min(first + batchChunks - 1, lastSeq)
    const expected =
      Math.min(range.end, (last + 1) * range.chunkSize - 1) -
      Math.max(range.start, first * range.chunkSize) +
      1
    const began = performance.now()
    let received = 0
    const sql = copyChunksSql(range, first, last)
    for await (const piece of binaryCopyFields(copyOutAsAccount(knex, range.accountId, sql))) {
      received += piece.length
      yield piece
    }
    if (received !== expected) throw new Error('blob chunk missing')
    if (performance.now() - began < quickBatchMs) batchChunks = Math.min(batchChunks * 2, maxChunks)
    first = last + 1
  }
}
