/**
 * Knows how to use the raw pg connection under a knex transaction (for what knex cannot send: COPY, prepared
 * statements with large parameters) and to report those statements to knex's own 'query' / 'query-response' /
 * 'query-error' listeners, so instrument-knex.ts times and counts them like any query knex sends. The event
 * carries a label, never SQL text with values nor bindings.
 */
import type { Knex } from 'knex'
import type { Client } from 'pg'

/** The connection a knex transaction runs on: a transaction's client hands out its own connection. */
export const transactionConnection = (trx: Knex.Transaction): Promise<Client> =>
  (trx.client as unknown as { acquireConnection: () => Promise<Client> }).acquireConnection()

let sent = 0

/** Announces a statement now; call the result with its error, or nothing, when it ends. */
export const announceRawQuery = (knex: Knex, method: string): ((error?: unknown) => void) => {
  const event = { __knexQueryUid: `raw-${++sent}`, method, sql: method }
  knex.emit('query', event)
  return (error?: unknown) =>
    error === undefined ? knex.emit('query-response', null, event) : knex.emit('query-error', error, event)
}
