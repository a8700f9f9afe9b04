/**
 * The drift check between bench/sql/*.sql and the server's SQL: the scripts' statements are read as the check
 * reads them, log lines parse into statements, and a changed, missing or extra statement is reported.
 * (`npm run bench` runs the check itself against statements captured from the live server.)
 */
import { expect } from 'chai'
import { parseStatementLog } from '../../bench/sql-capture'
import { firstDrift, readScript, scriptStatements, statementShape } from '../../bench/sql-script'

const log = [
  '2026-11-27 01:20:00.123 UTC [42] zkeb_app@postgres LOG:  statement: BEGIN;',
  "2026-11-27 01:20:00.124 UTC [42] zkeb_app@postgres LOG:  execute <unnamed>: select set_config('zkeb.account_id', $1, true)",
  "2026-11-27 01:20:00.124 UTC [42] zkeb_app@postgres DETAIL:  parameters: $1 = 'a-secret-looking-value'",
  '2026-11-27 01:20:00.125 UTC [42] zkeb_app@postgres LOG:  execute <unnamed>: select * from "zkeb"."backups" where "account_id" = $1 and "deleted_at" is null order by "created_at" desc, "backup_id" desc limit $2',
  '2026-11-27 01:20:00.126 UTC [43] postgres@postgres LOG:  statement: select 1',
  '2026-11-27 01:20:00.127 UTC [42] zkeb_app@postgres LOG:  statement: COMMIT;',
  '2026-11-27 01:20:00.128 UTC [42] zkeb_app@postgres LOG:  execute <unnamed>: select coalesce(a.used_bytes, 0)',
  '\t  from zkeb.accounts a where a.account_id = $1',
].join('\n')

describe('bench SQL scripts and their drift check', () => {
  it('reads the statements of a logged request, joining continuation lines and leaving parameters out', () => {
    const statements = parseStatementLog(log)
    expect(statements.map((s) => s.user)).to.deep.equal([
      'zkeb_app',
      'zkeb_app',
      'zkeb_app',
      'postgres',
      'zkeb_app',
      'zkeb_app',
    ])
    expect(statements[4]!.sql).to.equal('COMMIT;')
    expect(statements[5]!.sql).to.equal(
      'select coalesce(a.used_bytes, 0)\n  from zkeb.accounts a where a.account_id = $1',
    )
    expect(JSON.stringify(statements)).not.to.include('a-secret-looking-value')
  })

  it('finds list-backups.sql equal to what the server logs for a list, parameters and literals aside', () => {
    const server = parseStatementLog(log)
      .filter((s) => s.user === 'zkeb_app')
      .slice(0, 4)
      .map((s) => s.sql)
    expect(firstDrift(scriptStatements(readScript('list-backups')), server)).to.equal(undefined)
  })

  it('reports the first statement that differs, is missing or is extra', () => {
    const script = scriptStatements(readScript('list-backups'))
    const changed = [...script]
    changed[2] = changed[2]!.replace('order by "created_at" desc', 'order by "created_at" asc')
    expect(firstDrift(script, changed)?.index).to.equal(2)
    expect(firstDrift(script, script.slice(0, 3))).to.deep.include({ index: 3, server: undefined })
    expect(firstDrift(script, [...script, 'select 1'])).to.deep.include({
      index: 4,
      script: undefined,
      server: 'select ?',
    })
  })

  it('leaves pgbench meta-commands and bench-only statements out of upload-4k.sql', () => {
    const statements = scriptStatements(readScript('upload-4k'))
    expect(statements.some((s) => s.includes('gen_random_uuid'))).to.equal(false)
    expect(statements.some((s) => s.startsWith('\\'))).to.equal(false)
    expect(statements.filter((s) => s === 'BEGIN;')).to.have.length(3)
    expect(statementShape('select "seq", "hash" from t where a = :account limit 1')).to.equal(
      statementShape('select "seq", "hash" from t where a = $1 limit $2'),
    )
    expect(statementShape("select set_config('zkeb.account_id', :account, true)")).to.equal(
      'select set_config(?, ?, ?)',
    )
    expect(statementShape('select x::uuid, 1.5 from "t2"')).to.equal('select x::uuid, ? from "t2"')
  })
})
