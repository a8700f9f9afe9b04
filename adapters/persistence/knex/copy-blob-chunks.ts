/**
 * Knows how to read a byte range of a stored blob out of zkeb.blob_chunks with binary COPY, in batches of
 * chunks, each chunk cut to the range by PostgreSQL (substring), so exactly the range's bytes cross the wire.
 */
import type { Knex } from 'knex'
import { escapeLiteral } from 'pg'
import { Uuid, type AccountId, type BlobId } from '../../../domain/ids'
import { binaryCopyFields, copyOutAsAccount } from '../pg-session'

/**
 * How many bytes one COPY may carry. Each batch is read whole into memory as fast as PostgreSQL sends it, its
 * transaction ends, and only then are its bytes handed to the consumer: a download waiting on a slow or paused
 * client holds one batch of memory and no pool connection (a COPY read at the client's pace held its
 * connection for as long as the client cared to wait, so ten paused downloads emptied a small pool). The batch
 * starts at one MiB and doubles after every batch the consumer drained quickly, up to 4 MiB: each batch costs
 * four round trips (begin, set_config, COPY, commit), read ahead while the one before is handed on, and two
 * batches of 4 MiB bound the memory one stalled download can pin.
 */
const firstBatchBytes = 1024 * 1024
const maxBatchBytes = 4 * 1024 * 1024
const emptyPiece = Buffer.alloc(0)

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

/** Every byte of one COPY, read before any is handed on, so its connection is back in the pool first. */
const readBatch = async (knex: Knex, accountId: AccountId, sql: string): Promise<Buffer[]> => {
  const pieces: Buffer[] = []
  for await (const piece of binaryCopyFields(copyOutAsAccount(knex, accountId, sql))) pieces.push(piece)
  return pieces
}

type Batch = Readonly<{ first: number; last: number; pieces: Promise<Buffer[]> }>

/** Starts reading chunks `first`.. (at most `count`, not past the range); a failure surfaces when awaited. */
const startBatch = (knex: Knex, range: StoredRange, first: number, count: number): Batch => {
  const last = Math.min(first + count - 1, Math.floor(range.end / range.chunkSize))
  const pieces = readBatch(knex, range.accountId, copyChunksSql(range, first, last))
  // A consumer that stops early never awaits the batch read ahead; its failure then concerns nobody.
  pieces.catch(() => undefined)
  return { first, last, pieces }
}

/**
 * The range's bytes, batch after batch. The next batch is read while this one is handed on, so a fast
 * consumer does not wait for each batch's round trips (memory: two batches at most). Throws if a chunk is
 * missing or short (a blob marked complete has every chunk; anything else is damage, and a download must not
 * end as if it were whole).
 */
export async function* copyBlobRange(knex: Knex, range: StoredRange): AsyncGenerator<Buffer> {
  const lastSeq = Math.floor(range.end / range.chunkSize)
  let batchChunks = Math.max(1, Math.floor(firstBatchBytes / range.chunkSize))
  const maxChunks = Math.max(1, Math.floor(maxBatchBytes / range.chunkSize))
  let batch: Batch | undefined = startBatch(
    knex,
    range,
    Math.floor(range.start / range.chunkSize),
    batchChunks,
  )
  try {
    while (batch !== undefined) {
      const pieces = await batch.pieces
      const expected =
        Math.min(range.end, (batch.last + 1) * range.chunkSize - 1) -
        Math.max(range.start, batch.first * range.chunkSize) +
        1
      if (pieces.reduce((sum, piece) => sum + piece.length, 0) !== expected)
        throw new Error('blob chunk missing')
      const current: Batch = batch
      batch = current.last < lastSeq ? startBatch(knex, range, current.last + 1, batchChunks) : undefined
      const began = performance.now()
      for (let i = 0; i < pieces.length; i++) {
        const piece = pieces[i]!
        // Dropped as it is handed on: a consumer that keeps a piece alone decides how long it lives.
        pieces[i] = emptyPiece
        yield piece
      }
      if (performance.now() - began < quickBatchMs) batchChunks = Math.min(batchChunks * 2, maxChunks)
    }
  } finally {
    // A consumer that stopped early: the batch read ahead ends on its own within milliseconds; wait for it,
    // so that once the download is given up its connection is back in the pool.
    await batch?.pieces.catch(() => undefined)
  }
}
