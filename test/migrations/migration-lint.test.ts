/**
 * The migration linter (CI): every migration's SQL, as recorded against a throwaway database, passes squawk
 * and the deprecation rule; and the linter catches each unsafe pattern the migrations policy forbids.
 */
import { expect } from 'chai'
import { migrations } from '../../adapters/persistence/knex/migrator'
import { createTestDatabase } from '../support/postgres'
import { recordMigrationSql } from './record-sql'
import { type Finding, lintSql } from './squawk'

/** Shipped before the policy, on an empty database (nothing to lock): recorded, but not held to it. */
const baseline = new Set(['20261126000000_create_schema', '20261126000100_secure_schema'])

const rulesOf = (findings: ReadonlyArray<Finding>) => [...new Set(findings.map((f) => f.rule))].sort()

/** An existing table, as the linter sees it from another migration. */
const safe = (sql: string) => `set lock_timeout = '5s';\n${sql}`

describe('migration linter (squawk + deprecation rule)', function () {
  this.timeout(60_000)

  it('passes every migration after the baseline, as the SQL it really sends', async () => {
    const db = await createTestDatabase()
    const bare = await db.sibling('lint')
    try {
      const recorded = await recordMigrationSql(bare.knex, migrations)
      expect(recorded.map((r) => r.name)).to.deep.equal(migrations.map((m) => m.name))
      expect(recorded.every((r) => r.sql.length > 0)).to.equal(true)
      const findings = (await lintSql(recorded)).filter((f) => !baseline.has(f.file))
      expect(findings, JSON.stringify(findings)).to.deep.equal([])
    } finally {
      await bare.drop()
      await db.drop()
    }
  })

  const catches: Array<[string, string, string]> = [
    [
      'ADD COLUMN NOT NULL without a default',
      'adding-required-field',
      'alter table zkeb.accounts add column if not exists x bigint not null;',
    ],
    [
      'ADD COLUMN with a volatile default',
      'adding-field-with-default',
      'alter table zkeb.accounts add column if not exists x uuid default gen_random_uuid();',
    ],
    [
      'CREATE INDEX without CONCURRENTLY',
      'require-concurrent-index-creation',
      'create index if not exists i on zkeb.accounts (created_at);',
    ],
    ['DROP COLUMN', 'ban-drop-column', 'alter table zkeb.accounts drop column if exists x;'],
    ['DROP TABLE', 'ban-drop-table', 'drop table if exists zkeb.devices;'],
    ['RENAME COLUMN', 'renaming-column', 'alter table zkeb.accounts rename column username to login;'],
    ['RENAME TABLE', 'renaming-table', 'alter table zkeb.accounts rename to users;'],
    [
      'ALTER COLUMN TYPE',
      'changing-column-type',
      'alter table zkeb.accounts alter column username type varchar(64);',
    ],
    [
      'a CHECK constraint validated at once',
      'constraint-missing-not-valid',
      'alter table zkeb.accounts add constraint c check (quota_limit_bytes > 0);',
    ],
    [
      'a FOREIGN KEY validated at once',
      'adding-foreign-key-constraint',
      'alter table zkeb.backups add constraint f foreign key (device_id) references zkeb.devices;',
    ],
  ]
  for (const [what, rule, sql] of catches)
    it(`catches ${what} (${rule})`, async () => {
      expect(rulesOf(await lintSql([{ name: '20300101000000_bad', sql: safe(sql) }]))).to.include(rule)
    })

  it('catches a missing lock_timeout (require-lock-timeout)', async () => {
    const findings = await lintSql([
      { name: '20300101000000_bad', sql: 'alter table zkeb.accounts add column if not exists x bigint;' },
    ])
    expect(rulesOf(findings)).to.deep.equal(['require-lock-timeout'])
  })

  it('accepts the safe forms: nullable column, NOT VALID then VALIDATE, CONCURRENTLY', async () => {
    const sql = `begin;
set local lock_timeout = '5s';
alter table zkeb.accounts add column if not exists x bigint;
alter table zkeb.accounts add constraint c check (x >= 0) not valid;
commit;
begin;
set local lock_timeout = '5s';
alter table zkeb.accounts validate constraint c;
commit;`
    const index = safe('create index concurrently if not exists i on zkeb.accounts (x);')
    expect(
      await lintSql([
        { name: '20300101000000_good', sql },
        { name: '20300101000100_good_index', sql: index },
      ]),
    ).to.deep.equal([])
  })

  it('allows a contract-phase DROP only when it names the earlier migration that deprecated the column', async () => {
    const drop = (since: string) =>
      safe(`${since}\n-- squawk-ignore ban-drop-column\nalter table zkeb.accounts drop column if exists x;`)
    const deprecation = {
      name: '20300101000000_deprecate_x',
      sql: safe('comment on column zkeb.accounts.x is $$deprecated$$;'),
    }
    expect(
      await lintSql([
        deprecation,
        { name: '20300201000000_drop_x', sql: drop('-- deprecated since 20300101000000_deprecate_x') },
      ]),
    ).to.deep.equal([])
    expect(
      rulesOf(await lintSql([deprecation, { name: '20300201000000_drop_x', sql: drop('') }])),
    ).to.deep.equal(['deprecation-phase-required'])
    expect(
      rulesOf(
        await lintSql([
          { name: '20300201000000_drop_x', sql: drop('-- deprecated since 20300101000000_deprecate_x') },
        ]),
      ),
    ).to.deep.equal(['deprecation-phase-required'])
  })
})
