/**
 * Wire-level checks for the persistence tests that count PostgreSQL round trips on a one-connection knex pool:
 * how many ReadyForQuery messages (one per round trip) a piece of work causes, and the state the pool's
 * connection is left in.
 */
import type { Knex } from 'knex'
import type { Client } from 'pg'

type WithWire = Client & { connection: NodeJS.EventEmitter }
type Pool = Readonly<{
  acquireConnection: () => Promise<WithWire>
  releaseConnection: (connection: WithWire) => void
}>

/** Counts the ReadyForQuery messages (one per round trip) the pool's only connection receives during `run`. */
export const roundTrips = async (knex: Knex, run: () => Promise<unknown>): Promise<number> => {
  const pool = knex.client as Pool
  const client = await pool.acquireConnection()
  pool.releaseConnection(client)
  let count = 0
  const onReady = () => (count += 1)
  client.connection.on('readyForQuery', onReady)
  try {
    await run()
  } finally {
    client.connection.off('readyForQuery', onReady)
  }
  return count
}

/** Whether the pool's connection is outside a transaction (now() moves), and what account it names. */
export const connectionState = async (knex: Knex) => {
  const result = await knex.raw<{ rows: Array<{ account: string | null; idle: boolean }> }>(
    "select nullif(current_setting('zkeb.account_id', true), '') as account, now() = statement_timestamp() as idle",
  )
  return result.rows[0]
}
