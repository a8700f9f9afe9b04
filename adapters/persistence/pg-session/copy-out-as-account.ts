/**
 * Knows how to stream a `COPY (query) TO STDOUT` out of PostgreSQL on a knex pool connection, inside a
 * transaction scoped to one account exactly as with-account.ts scopes every other query, so row-level security
 * applies to the COPY's query as to any select (PostgreSQL applies RLS to `COPY (query) TO`).
 *
 * Why COPY: pg returns every result field as text, so bytea arrived hex-encoded (twice its size, plus the
 * decoded copy): about 11 bytes of short-lived allocations per byte served. COPY's binary format comes through
 * as the socket's own buffers, read only as fast as the consumer pulls (pg-copy-streams reads the socket on
 * demand). The connection is held until the consumer has read everything: a consumer that waits on anything
 * slow (an HTTP client) must read the COPY whole first (copy-blob-chunks.ts does, one bounded batch at a time).
 *
 * The COPY runs on the transaction's own connection (a knex transaction client hands out its connection), so
 * the begin, set_config and commit go through knex and are counted by instrument-knex.ts; the COPY itself is
 * reported to the same listeners (raw-pg-connection.ts).
 */
import { finished } from 'node:stream/promises'
import type { Knex } from 'knex'
import type { Client } from 'pg'
import { type CopyToStreamQuery, to as copyTo } from 'pg-copy-streams'
import type { AccountId } from '../../../domain/ids'
import { announceRawQuery, transactionConnection } from './raw-pg-connection'
import { accountTransaction } from './with-account'

type Opened = Readonly<{ connection: Client; stream: CopyToStreamQuery }>

/**
 * Closes the connection's socket. Not `end()`: that waits for the socket's 'end', which never comes while the
 * COPY has paused it with data unread. pg then fails the connection, and knex marks it disposed.
 */
const abandon = ({ connection, stream }: Opened) => {
  stream.on('error', () => undefined)
  stream.destroy()
  ;(connection as unknown as { connection: { stream: { destroy: () => void } } }).connection.stream.destroy()
}

/**
 * The bytes of `copySql` (a `COPY (...) TO STDOUT`), as they arrive. If the consumer stops early or the stream
 * fails, the connection is closed rather than returned: it is mid-COPY and cannot serve another query, and a
 * closed connection is discarded by the pool (knex marks it disposed). Errors are thrown to the consumer.
 */
export async function* copyOutAsAccount(
  knex: Knex,
  accountId: AccountId,
  copySql: string,
): AsyncGenerator<Buffer> {
  let hand: (opened: Opened) => void = () => undefined
  const opening = new Promise<Opened>((resolve) => (hand = resolve))
  const done = announceRawQuery(knex, 'copy to stdout')
  const transaction = accountTransaction(knex, accountId, async (trx) => {
    const connection = await transactionConnection(trx)
    const stream = connection.query(copyTo(copySql))
    hand({ connection, stream })
    await finished(stream)
  })
  const opened = await Promise.race([opening, transaction.then(() => undefined)])
  if (opened === undefined) throw new Error('COPY ended before it started')
  let complete = false
  try {
    yield* opened.stream
    await transaction
    complete = true
    done()
  } finally {
    if (!complete) {
      done(new Error('COPY aborted'))
      abandon(opened)
      await transaction.then(undefined, () => undefined)
    }
  }
}
