/**
 * readAsAccount sends BEGIN, set_config, one select and COMMIT as one pipeline (scoped-read.ts,
 * scoped-select-query.ts). Checked against a real PostgreSQL on a one-connection pool: one round trip, the
 * select scoped by row-level security, a failure (at any statement) rolled back before it is reported, and the
 * select reported to knex's query listeners like any other.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/Either'
import type { Knex } from 'knex'
import type { AccountId } from '../../../../domain/ids'
import { createKnex } from '../../../../adapters/persistence/knex/create-knex'
import { measureQueries } from '../../../../adapters/persistence/knex/instrument-knex'
import { knexSessionStore } from '../../../../adapters/persistence/knex/knex-session-store'
import { readAsAccount } from '../../../../adapters/persistence/pg-session/scoped-read'
import { right } from '../../../contracts/harness'
import { aDigest, aSession } from '../../../support/builders'
import { connectionState, roundTrips } from '../../../support/pg-round-trips'
import { createTestDatabase, type TestDatabase } from '../../../support/postgres'

const clean = { account: null, idle: true }

describe('readAsAccount: one account-scoped select in one round trip', function () {
  this.timeout(30_000)
  let db: TestDatabase
  let knex: Knex
  const mine = aSession()
  const theirs = aSession()
  // No account condition at all: only row-level security keeps the other account's session out.
  const everySession = 'select "session_id" from "zkeb"."sessions" order by "session_id"'
  const ids = (rows: E.Either<unknown, ReadonlyArray<unknown>>) =>
    E.map((r: ReadonlyArray<unknown>) => r.map((row) => (row as { session_id: string }).session_id))(rows)

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

  it('takes one round trip', async () => {
    const trips = await roundTrips(knex, () => readAsAccount(knex, mine.accountId, everySession, [])())
    expect(trips).to.equal(1)
  })

  it('scopes row-level security to the account, in a transaction that ends with it', async () => {
    expect(ids(await readAsAccount(knex, mine.accountId, everySession, [])())).to.deep.equal(
      E.right([mine.sessionId]),
    )
    expect(ids(await readAsAccount(knex, theirs.accountId, everySession, [])())).to.deep.equal(
      E.right([theirs.sessionId]),
    )
    const inside = await readAsAccount(
      knex,
      mine.accountId,
      "select current_setting('zkeb.account_id') as account, now() <> statement_timestamp() as inside",
      [],
    )()
    expect(inside).to.deep.equal(E.right([{ account: mine.accountId, inside: true }]))
    expect(await connectionState(knex)).to.deep.equal(clean)
  })

  it('binds values and passes rows through pg’s type parsers', async () => {
    const at = new Date('2024-05-06T07:08:09.123Z')
    const rows = await readAsAccount(knex, mine.accountId, 'select ?::timestamptz as at, ?::int8 as n', [
      at,
      7,
    ])()
    expect(rows).to.deep.equal(E.right([{ at, n: 7 }]))
  })

  it('rolls back and reports Unavailable when the select fails, leaving the connection clean', async () => {
    const failed = await readAsAccount(knex, mine.accountId, 'select 1 / (? - 1) as boom', [1])()
    expect(E.isLeft(failed) && failed.left._tag).to.equal('Unavailable')
    expect(await connectionState(knex)).to.deep.equal(clean)
    expect(ids(await readAsAccount(knex, theirs.accountId, everySession, [])())).to.deep.equal(
      E.right([theirs.sessionId]),
    )
  })

  it('runs nothing unscoped when set_config fails (the select is skipped), and rolls back', async () => {
    // A NUL byte is refused by PostgreSQL at Bind, after BEGIN already ran in the same pipeline.
    const failed = await readAsAccount(knex, 'x\u0000y' as AccountId, everySession, [])()
    expect(E.isLeft(failed) && failed.left._tag).to.equal('Unavailable')
    expect(await connectionState(knex)).to.deep.equal(clean)
  })

  it('reports the select to knex’s query listeners, failed or not', async () => {
    const seen: Array<boolean> = []
    const stop = measureQueries(knex, { dbQuery: (_seconds, ok) => seen.push(ok) })
    try {
      await readAsAccount(knex, mine.accountId, everySession, [])()
      await readAsAccount(knex, mine.accountId, 'select 1 / (? - 1) as boom', [1])()
    } finally {
      stop()
    }
    expect(seen).to.deep.equal([true, false])
  })

  it('inside a knex transaction, runs in a scoped transaction nested in it', async () => {
    const seen = await knex.transaction((outer) => readAsAccount(outer, mine.accountId, everySession, [])())
    expect(ids(seen)).to.deep.equal(E.right([mine.sessionId]))
  })
})
