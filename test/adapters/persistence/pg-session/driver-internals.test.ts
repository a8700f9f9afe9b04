/**
 * The knex and pg internals adapters/persistence/pg-session/ builds on, checked by name: an upgrade that moves
 * or renames one fails here first, with the part it broke, before the round-trip suites beside this file
 * report a slower or broken transaction.
 */
import { expect } from 'chai'
import { Query } from 'pg'

/* eslint-disable @typescript-eslint/no-require-imports -- the very internals under test */
const load = (path: string): unknown => require(path)

type Constructor = { prototype: Record<string, unknown> }

describe('pg-session: the driver internals it relies on', () => {
  it("finds knex's PostgreSQL transaction and client classes, with the methods it overrides", () => {
    const transaction = load('knex/lib/dialects/postgres/execution/pg-transaction') as Constructor
    const client = load('knex/lib/dialects/postgres') as Constructor
    expect(transaction.prototype['begin']).to.be.a('function')
    expect(client.prototype['transaction']).to.be.a('function')
    expect(client.prototype['_query']).to.be.a('function')
    expect(client.prototype['acquireConnection']).to.be.a('function')
    expect(client.prototype['releaseConnection']).to.be.a('function')
  })

  it("finds pg's Query.prepare and value mapper, which the pipelines replace and reuse", () => {
    expect((Query.prototype as unknown as Record<string, unknown>)['prepare']).to.be.a('function')
    const utils = load('pg/lib/utils') as { prepareValue?: unknown }
    expect(utils.prepareValue).to.be.a('function')
  })

  it("finds the wire-protocol calls of pg's Connection that the pipelines send", () => {
    const { Connection } = load('pg') as { Connection: Constructor }
    for (const method of ['parse', 'bind', 'describe', 'execute', 'sync'])
      expect(Connection.prototype[method], method).to.be.a('function')
  })
})
