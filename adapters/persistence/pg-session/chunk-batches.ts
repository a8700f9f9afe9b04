/**
 * Knows how to store a blob's chunks several to a transaction while they arrive quickly, and one at a time
 * while they do not.
 *
 * Why not one transaction per chunk: that is four round trips per 256 KiB (begin, set_config, insert, commit)
 * and four knex queries' worth of short-lived objects, which V8 promotes and collects late: the upload's CPU
 * (restic bench) and most of its memory growth. Why not COPY FROM: PostgreSQL refuses it on a table under
 * row-level security ("COPY FROM not supported with row-level security"), and the application role must stay
 * under it. So a batch is one account-scoped transaction (set up as with-account.ts does) whose chunks go as an
 * insert on its raw connection: one round trip and a handful of objects per chunk. The statement is unnamed
 * (parsed with each chunk): a named one lives on one server connection, and PgBouncer in transaction mode
 * hands that connection to other clients, whose own Parse of the name then fails (42P05).
 *
 * Why batches close when the input pauses: a batch holds a pool connection and the blob row's key-share lock
 * while it is open, so it must not wait on a slow client (nor on a deletion of the blob, which waits for that
 * lock). A batch commits once it holds `maxBatchBytes`, and whenever no chunk followed for `idleMs`: a client
 * sending slower than a chunk per `idleMs` gets a transaction per chunk and holds no connection between
 * chunks. Committed batches of a blob not yet complete are invisible to readers, like any chunk of it.
 */
import type { Knex } from 'knex'
import type { Client } from 'pg'
import type { AccountId, BlobId } from '../../../domain/ids'
import { announceRawQuery, transactionConnection } from './raw-pg-connection'
import { accountTransaction } from './with-account'

const maxBatchBytes = 16 * 1024 * 1024
const idleMs = 50

const insertChunk = 'insert into zkeb.blob_chunks (account_id, blob_id, seq, data) values ($1, $2, $3, $4)'

type Batch = Readonly<{
  insert: (seq: number, data: Buffer) => Promise<void>
  /** Commits (`true`) or rolls back; resolves once the connection is back in the pool. */
  end: (commit: boolean) => Promise<void>
}>

const openBatch = async (knex: Knex, accountId: AccountId, blobId: BlobId): Promise<Batch> => {
  let ready: (connection: Client) => void = () => undefined
  let close: (commit: boolean) => void = () => undefined
  const opened = new Promise<Client>((resolve) => (ready = resolve))
  const closing = new Promise<boolean>((resolve) => (close = resolve))
  const transaction = accountTransaction(knex, accountId, async (trx) => {
    ready(await transactionConnection(trx))
    if (!(await closing)) throw new Error('blob chunk batch rolled back')
  })
  const connection = await Promise.race([
    opened,
    transaction.then(() => Promise.reject(new Error('no batch'))),
  ])
  return {
    insert: async (seq, data) => {
      const done = announceRawQuery(knex, 'insert blob chunk')
      try {
        await connection.query(insertChunk, [accountId, blobId, seq, data])
        done()
      } catch (error) {
        done(error)
        throw error
      }
    },
    end: (commit) => {
      close(commit)
      return commit ? transaction : transaction.catch(() => undefined)
    },
  }
}

export type ChunkWriter = Readonly<{
  /** Stores chunk `seq`; `data` may be reused by the caller once this resolves. */
  write: (seq: number, data: Buffer) => Promise<void>
  /** Commits what is still open; after it every written chunk is stored. */
  finish: () => Promise<void>
  /** Rolls back what is still open (the caller deletes the blob, so committed batches go with it). */
  abort: () => Promise<void>
}>

/** Rejects on any database failure; after one, the caller aborts. */
export const chunkWriter = (knex: Knex, accountId: AccountId, blobId: BlobId): ChunkWriter => {
  let batch: Batch | undefined
  let batchBytes = 0
  /** The commit started by the idle timer, awaited before the next batch so its failure is not lost. */
  let committing: Promise<void> = Promise.resolve()
  let idle: NodeJS.Timeout | undefined
  const commitOpenBatch = () => {
    clearTimeout(idle)
    const open = batch
    batch = undefined
    batchBytes = 0
    if (open !== undefined) committing = committing.then(() => open.end(true))
    return committing
  }
  return {
    write: async (seq, data) => {
      clearTimeout(idle)
      await committing
      batch ??= await openBatch(knex, accountId, blobId)
      await batch.insert(seq, data)
      batchBytes += data.length
      if (batchBytes >= maxBatchBytes) await commitOpenBatch()
      // Committing from the timer while the caller waits for input: the promise is kept in `committing`.
      else idle = setTimeout(() => void commitOpenBatch().catch(() => undefined), idleMs)
    },
    finish: () => commitOpenBatch(),
    abort: async () => {
      clearTimeout(idle)
      const open = batch
      batch = undefined
      await committing.catch(() => undefined)
      await open?.end(false)
    },
  }
}
