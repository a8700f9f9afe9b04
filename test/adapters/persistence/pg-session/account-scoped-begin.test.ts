/**
 * withAccount opens its transaction in one round trip (adapters/persistence/pg-session/account-scoped-client.ts):
 * BEGIN and set_config go out together. These tests check it against a real PostgreSQL on a one-connection
 * pool: one ReadyForQuery fewer per transaction, the account really scoped by row-level security, and a
 * connection that failed to begin returned to the pool outside any transaction.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import type { Knex } from 'knex'
import type { AccountId } from '../../../../domain/ids'
import { createKnex } from '../../../../adapters/persistence/knex/create-knex'
import { knexSessionStore } from '../../../../adapters/persistence/knex/knex-session-store'
import { withAccount } from '../../../../adapters/persistence/pg-session/with-account'
import { right } from '../../../contracts/harness'
import { aDigest, aSession } from '../../../support/builders'
import { connectionState, roundTrips } from '../../../support/pg-round-trips'
import { createTestDatabase, type TestDatabase } from '../../../support/postgres'

describe('withAccount: BEGIN and the account scope in one round trip', function () {
  this.timeout(30_000)
  let db: TestDatabase
  let knex: Knex
  const mine = aSession()
  const theirs = aSession()

  before(async () => {
    db = await createTestDatabase()
    const store = knexSessionStore(db.appKnex)
    await right(store.create(mine, aDigest()))
    await right(store.create(theirs, aDigest()))
    knex = createKnex({ url: db.appUrl, poolMax: 1 })
  })
  after(async () => {
    await knex?.destroy()
    await db?.drop()
  })

  it('takes three round trips for one query (BEGIN with set_config, the query, COMMIT)', async () => {
    const trips = await roundTrips(knex, () =>
      withAccount(knex, mine.accountId)((trx) => trx('zkeb.sessions').pluck('session_id'))(),
    )
    expect(trips).to.equal(3)
  })

  it('scopes row-level security to the account, inside a transaction that ends with it', async () => {
    const seen = await withAccount(
      knex,
      mine.accountId,
    )(async (trx) => ({
      sessions: await trx('zkeb.sessions').pluck('session_id'),
      state: (
        await trx.raw<{ rows: Array<{ inside: boolean }> }>('select now() <> statement_timestamp() as inside')
      ).rows[0],
    }))()
    expect(seen).to.deep.equal(E.right({ sessions: [mine.sessionId], state: { inside: true } }))
    expect(await connectionState(knex)).to.deep.equal({ account: null, idle: true })
  })

  it('rolls back a connection whose BEGIN and set_config failed before reporting Unavailable', async () => {
    // A NUL byte is refused by PostgreSQL at Bind, after BEGIN already ran in the same pipeline.
    const result = await withAccount(knex, 'x\u0000y' as AccountId)((trx) => trx.raw('select 1'))()
    expect(E.isLeft(result) && result.left._tag).to.equal('Unavailable')
    expect(await connectionState(knex)).to.deep.equal({ account: null, idle: true })
    const after = await withAccount(
      knex,
      theirs.accountId,
    )((trx) => trx('zkeb.sessions').pluck('session_id'))()
    expect(after).to.deep.equal(E.right([theirs.sessionId]))
  })

  it('scopes a transaction nested in another one (a savepoint) as well', async () => {
    const seen = await knex.transaction((outer) =>
      withAccount(outer, mine.accountId)((trx) => trx('zkeb.sessions').pluck('session_id'))(),
    )
    expect(seen).to.deep.equal(E.right([mine.sessionId]))
  })
})
