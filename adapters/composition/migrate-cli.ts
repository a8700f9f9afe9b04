/**
 * `npm run migrate` (and Railway's preDeployCommand): applies pending migrations as the schema owner and prints
 * what it did. With DATABASE_URL unset it migrates the embedded PostgreSQL in DATA_DIR (which must not be in
 * use by a running server). Exit 0 when nothing is pending (a contract migration waiting for its backfill
 * does not count), 1 otherwise.
 */
import { createKnex } from '../persistence/knex/create-knex'
import { migrationStatus } from '../persistence/knex/migrator'
import { loadConfig } from './config'
import { startEmbeddedPostgres } from './embedded-postgres'
import { describeUrl } from './database'
import { migrate } from './runtime'
import { StartupError } from './startup-error'

const ownerDatabase = async (databaseUrl: string | null, dataDir: string) => {
  if (databaseUrl !== null) return { url: databaseUrl, close: () => Promise.resolve() }
  const embedded = await startEmbeddedPostgres(dataDir)
  return { url: embedded.ownerUrl, close: embedded.stop }
}

const statusAfter = async (url: string) => {
  const owner = createKnex({ url, poolMax: 1, applicationName: 'zkeb-migrator' })
  try {
    return await migrationStatus(owner)
  } finally {
    await owner.destroy()
  }
}

const run = async (): Promise<void> => {
  const config = loadConfig(process.env)
  const db = await ownerDatabase(config.databaseUrl, config.dataDir)
  try {
    const applied = await migrate(db.url)
    const where = describeUrl(db.url)
    if (applied.length === 0) process.stdout.write(`zkeb migrate: ${where} is up to date\n`)
    for (const name of applied) process.stdout.write(`zkeb migrate: applied ${name}\n`)
    const { pending, waiting } = await statusAfter(db.url)
    process.stdout.write(`zkeb migrate: ${pending} pending\n`)
    // A contract migration waiting for its backfill is expected mid-rollout: it does not fail the deploy.
    for (const w of waiting.slice(0, 1))
      process.stdout.write(`zkeb migrate: waiting: ${w.name} (${w.reason})\n`)
    if (pending !== 0) process.exitCode = 1
  } finally {
    await db.close()
  }
}

run().catch((e: unknown) => {
  process.stderr.write(
    `zkeb migrate: ${e instanceof StartupError ? e.message : `failed: ${(e as Error).message}`}\n`,
  )
  process.exit(1)
})
