/**
 * Records the SQL each migration sends, by running it against a throwaway database with knex's query event:
 * what the linter reads is what PostgreSQL would receive, including SQL built by helpers and loops. A
 * transactional migration runs inside one transaction, as knex's migrator runs it.
 */
import type { Knex } from 'knex'
import type { Migration } from '../../adapters/persistence/knex/migrator'

export type RecordedMigration = Readonly<{ name: string; sql: string }>

const asStatement = (sql: string): string => {
  const trimmed = sql.trim()
  return trimmed.endsWith(';') ? trimmed : `${trimmed};`
}

export const recordMigrationSql = async (
  ownerKnex: Knex,
  list: ReadonlyArray<Migration>,
): Promise<ReadonlyArray<RecordedMigration>> => {
  await ownerKnex.raw('create schema if not exists zkeb')
  const recorded: RecordedMigration[] = []
  for (const { name, module } of list) {
    const statements: string[] = []
    const listener = (query: { sql: string; bindings?: unknown[] }) => {
      if (query.bindings !== undefined && query.bindings.length > 0)
        throw new Error(`${name}: migrations must not use bind parameters (the linter needs literal SQL)`)
      statements.push(asStatement(query.sql))
    }
    ownerKnex.on('query', listener)
    try {
      if (module.config?.transaction === false) await module.up(ownerKnex)
      else await ownerKnex.transaction(async (trx) => void (await module.up(trx)))
    } finally {
      ownerKnex.off('query', listener)
    }
    // knex reports its BEGIN and COMMIT as queries too, so transaction boundaries are in the record.
    recorded.push({ name, sql: statements.join('\n') })
  }
  return recorded
}
