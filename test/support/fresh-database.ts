/**
 * A database of its own on TEST_DATABASE_URL's server for a spawned server process (DATABASE_URL), dropped
 * afterwards; null without TEST_DATABASE_URL (the process then boots its embedded PostgreSQL).
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'

const withClient = async <A>(url: string, run: (c: pg.Client) => Promise<A>): Promise<A> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

export type FreshDatabase = Readonly<{ url: string; drop: () => Promise<void> }>

export const freshDatabase = async (prefix: string): Promise<FreshDatabase | null> => {
  const serverUrl = process.env['TEST_DATABASE_URL']
  if (serverUrl === undefined || serverUrl === '') return null
  const name = `${prefix}_${randomBytes(6).toString('hex')}`
  await withClient(serverUrl, (c) => c.query(`create database ${name}`))
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      await withClient(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`))
    },
  }
}
