/**
 * The session tables isolate accounts by row-level security alone, like every account table (rls.test.ts):
 * these queries bypass the adapter and talk to PostgreSQL as the application role, the way a bug or an
 * injected query would. Only the SECURITY DEFINER functions reach a session before its account is known, and
 * only the one session or digest they are given.
 */
import { expect } from 'chai'
import type { Knex } from 'knex'
import { knexSessionStore } from '../../../adapters/persistence/knex/knex-session-store'
import { right } from '../../contracts/harness'
import { aDigest, anAccountId, aSession } from '../../support/builders'
import { createTestDatabase, type TestDatabase } from '../../support/postgres'

const asAccount = <A>(knex: Knex, accountId: string | null, run: (trx: Knex.Transaction) => Promise<A>) =>
  knex.transaction(async (trx) => {
    if (accountId !== null) await trx.raw("select set_config('zkeb.account_id', ?, true)", [accountId])
    return run(trx)
  })

const failure = async (run: () => Promise<unknown>): Promise<string> => {
  try {
    await run()
  } catch (e) {
    return (e as { code?: string }).code ?? 'no code'
  }
  throw new Error('expected the query to fail')
}

describe('row-level security on zkeb.sessions and zkeb.refresh_digests', function () {
  this.timeout(30_000)
  let db: TestDatabase
  const mine = aSession()
  const theirs = aSession()

  before(async () => {
    db = await createTestDatabase()
    const store = knexSessionStore(db.appKnex)
    await right(store.create(mine, aDigest()))
    await right(store.create(theirs, aDigest()))
  })
  after(() => db?.drop())

  it('shows the application role no session without an account, and only its own account with one', async () => {
    expect(
      await asAccount(db.appKnex, null, (trx) => trx('zkeb.sessions').select('session_id')),
    ).to.deep.equal([])
    const seen = await asAccount(db.appKnex, mine.accountId, (trx) =>
      trx('zkeb.sessions').pluck('session_id'),
    )
    expect(seen).to.deep.equal([mine.sessionId])
  })

  it('refuses to write a session or a digest into another account', async () => {
    const forged = aSession({ accountId: theirs.accountId })
    const row = {
      session_id: forged.sessionId,
      account_id: forged.accountId,
      device_id: null,
      created_at: forged.createdAt,
      expires_at: forged.expiresAt,
    }
    expect(
      await failure(() => asAccount(db.appKnex, mine.accountId, (trx) => trx('zkeb.sessions').insert(row))),
    ).to.equal('42501')
    const digest = { digest: aDigest(), session_id: theirs.sessionId, account_id: theirs.accountId }
    expect(
      await failure(() =>
        asAccount(db.appKnex, mine.accountId, (trx) => trx('zkeb.refresh_digests').insert(digest)),
      ),
    ).to.equal('42501')
  })

  it('grants no read or update of refresh digests, and no update of sessions', async () => {
    expect(
      await failure(() =>
        asAccount(db.appKnex, mine.accountId, (trx) => trx('zkeb.refresh_digests').select('*')),
      ),
    ).to.equal('42501')
    expect(
      await failure(() =>
        asAccount(db.appKnex, mine.accountId, (trx) =>
          trx('zkeb.sessions')
            .where({ session_id: mine.sessionId })
            .update({ expires_at: new Date(8.64e15) }),
        ),
      ),
    ).to.equal('42501')
  })

  it('deletes nothing of another account when revoking by account', async () => {
    await asAccount(db.appKnex, mine.accountId, (trx) =>
      trx('zkeb.sessions').where({ account_id: theirs.accountId }).delete(),
    )
    const kept = await db.ownerKnex('zkeb.sessions').where({ session_id: theirs.sessionId }).count('* as n')
    expect(Number(kept[0]?.n)).to.equal(1)
  })

  it('lets the definer lookup find only the session it is asked for', async () => {
    const { rows } = await db.appKnex.raw<{ rows: Array<{ session_id: string }> }>(
      'select session_id from zkeb.find_live_session(?, ?)',
      [theirs.sessionId, theirs.createdAt],
    )
    expect(rows.map((r) => r.session_id)).to.deep.equal([theirs.sessionId])
    const none = await db.appKnex.raw<{ rows: unknown[] }>('select * from zkeb.find_live_session(?, ?)', [
      anAccountId(),
      theirs.createdAt,
    ])
    expect(none.rows).to.deep.equal([])
  })
})
